import { randomUUID } from "node:crypto";
import { type JSONRPCRequest, Server, SUPPORTED_PROTOCOL_VERSIONS, type Transport } from "@modelcontextprotocol/server";
import type { Logger } from "pino";
import type { CallOptions } from "../backends/upstream-session.js";
import type { Pipeline } from "../compile/compile.js";
import { AuditTrail } from "./audit-trail.js";
import { callerKey } from "../core/authentication.js";
import { Cancellation, reasonText } from "../core/cancellation.js";
import { callerTokenOf } from "../core/caller-token.js";
import type { ClientScope, Identity, Params, RequestContext, RequestId, RequestInfo, Result, RoutedContext, Target } from "../core/context.js";
import { duplicateRequestId, errorResponse, isUnexpectedError, ProxyError, WireError } from "../core/errors.js";
import { isRoutedMethod, MODERN_ONLY_METHODS, ROUTED_METHODS } from "../core/methods.js";
import { type Freshness, mergeFreshness, NO_PROMISE } from "../core/freshness.js";
import type { BackendListing, Surface } from "../core/surface.js";
import { namespaceTask } from "../core/tasks.js";
import type { PoolClient } from "./backend-pool.js";
import { type BackendReach, drainReach } from "./backend-reach.js";
import type { BackendPlan } from "./reload/backend-plan.js";
import { LIST_NOTIFICATIONS, visibleLists } from "./reload/visible-lists.js";
import { joinInstructions, mergeCapabilities } from "./capabilities.js";
import { SessionSurface } from "./session-surface.js";
import { ForgetfulSet, type ModernInputs, type SessionHost } from "./session-host.js";

export type { ModernInputs, SessionHost } from "./session-host.js";
import { fulfilInputRequired } from "./era/input-rounds.js";
import { type Era, modernEnvelope, withoutEnvelope } from "../core/era.js";

/** How long a backend's request to the client (sampling, elicitation, roots) may wait: a day. */
const CLIENT_ANSWER_LIMIT_MS = 24 * 60 * 60 * 1000;

/** A transport that keeps something open per request (an HTTP exchange) and can be told to let it go. */
interface AbandoningTransport {
  abandon(requestId: RequestId): void;
}

/**
 * One client session: the handshake, the client's merged surface, and the seam where every
 * routed request becomes a RequestContext and runs through the pipeline. It is the
 * pipeline's ClientScope: the pipeline reaches backends only through it, so nothing one
 * client does is visible to another.
 */
export class ClientSession implements ClientScope {
  readonly sessionId: string;
  readonly server: Server;
  readonly #host: SessionHost;
  readonly #defaultInfo: RequestInfo;
  /** What the latest request came with (its caller): a reload decides this client's new lists as that caller. */
  #lastInfo: RequestInfo;
  /** Reaches a reload started for changed backends, serving once their first start settles. */
  readonly #replacing = new Map<string, BackendReach>();
  readonly #era: Era;
  /** A modern request has no session, so nothing it saw may steer a later one: its set stays empty. */
  readonly labelsSeen: Set<string>;
  readonly taskOrigins = new Map<string, Target>();
  /** Each enabled backend, in config order: the client's own upstream or its seat on a shared one. */
  readonly #reaches = new Map<string, BackendReach>();
  /** Modern requests under way on this pipe (calls and listen streams), by request id: a stdio client cancels them with notifications/cancelled. */
  readonly #pipeRequests = new Map<RequestId, Cancellation>();
  /** Requests under way, by client request id, for cancellation. */
  readonly #calls = new Map<RequestId, Cancellation>();
  readonly #surface: SessionSurface;
  #clientCapabilities: Record<string, unknown> = {};
  #clientInfo = { name: "mcp-portcullis", version: "0" };
  /** Who last sent a request (an HTTP caller's token may be renewed mid-session): token exchange uses its token. */
  #caller: Identity | undefined;
  #initializing = false;
  #initialized = false;
  #closed = false;
  /** How a modern scope answers a backend's sampling, elicitation and roots requests (the input_required bridge). */
  readonly #modernInputs: ModernInputs | undefined;

  /** `modern` opens a session-less scope for modern requests (one per identity): see runtime/era/modern-scopes.ts. */
  constructor(host: SessionHost, info: RequestInfo, modern?: { readonly scopeId: string; readonly inputs: ModernInputs }) {
    this.#host = host;
    this.#defaultInfo = info;
    this.#caller = info.identity;
    this.#lastInfo = info;
    this.#era = modern ? "modern" : "legacy";
    this.sessionId = modern?.scopeId ?? randomUUID();
    this.labelsSeen = modern ? new ForgetfulSet() : new Set<string>();
    this.#modernInputs = modern?.inputs;
    this.#surface = new SessionSurface(host.pipeline.plan);
    // The superset lets the SDK send every notification; what clients see is what initialize answers.
    this.server = new Server(
      { name: "mcp-portcullis", version: host.version },
      { capabilities: { tools: { listChanged: true }, prompts: { listChanged: true }, resources: { listChanged: true, subscribe: true }, logging: {}, completions: {} } },
    );
    // Routed methods and initialize reach the fallback untouched: typed handlers strip fields.
    for (const method of ["initialize", ...ROUTED_METHODS]) this.server.removeRequestHandler(method as never);
    this.server.fallbackRequestHandler = async (request, ctx) => {
      try {
        if (request.method === "initialize") return await this.#initialize(request as JSONRPCRequest);
        if (!isRoutedMethod(request.method)) throw new ProxyError("METHOD_NOT_FOUND", `Method not found: ${request.method}`);
        // Before initialize there is no surface and no backend: an empty list or an "unavailable"
        // would be a wrong answer a client might act on.
        if (!this.#initialized) throw new ProxyError("NOT_INITIALIZED", `Invalid Request: ${request.method} before initialize; initialize the session first`);
        return await this.#run(request as JSONRPCRequest, ctx.mcpReq.id, Cancellation.fromSignal(ctx.mcpReq.signal), this.#defaultInfo);
      } catch (error) {
        throw WireError.from(error);
      }
    };
    this.server.fallbackNotificationHandler = async (n) => {
      if (n.method !== "notifications/roots/list_changed") return;
      for (const reach of this.#reaches.values()) void reach.upstream?.notify(n.method, n.params as never).catch(() => undefined);
    };
  }

  get surface(): Surface {
    return this.#surface.live;
  }

  get knownSurface(): Surface {
    return this.#surface.known;
  }

  get logger(): Logger {
    return this.#host.logger;
  }

  async connect(transport: Transport): Promise<void> {
    await this.server.connect(transport);
    // The hot path: once initialized, routed requests skip the SDK server's dispatch (schema
    // checks, per-request context) and go straight into the pipeline, errors encoded by our one
    // table. The SDK keeps the handshake, ping, and the requests we send to the client.
    const sdkOnMessage = transport.onmessage;
    transport.onmessage = (message, extra) => {
      const m = message as { id?: RequestId; method?: string; params?: { requestId?: RequestId; reason?: unknown } };
      if (m.method !== undefined && m.id !== undefined && this.#calls.has(m.id)) {
        // The first request with this id keeps its call, its cancellation and its answer; a
        // second one (ping or any other) would be answered under the same id.
        return void transport.send(errorResponse(m.id, duplicateRequestId(m.id)) as never).catch(() => undefined);
      }
      // A modern request (stdio carries both eras on one pipe) is served session-less, by identity.
      const info = (extra as { info?: RequestInfo } | undefined)?.info ?? this.#defaultInfo;
      if (m.method === "notifications/cancelled" && m.params?.requestId !== undefined && this.#pipeRequests.has(m.params.requestId)) {
        return this.#pipeRequests.get(m.params.requestId)!.cancel(reasonText(m.params.reason, "cancelled by the client"));
      }
      if (m.method !== undefined && m.id !== undefined && this.#host.modern?.admits(info.binding) && modernEnvelope(message)) {
        return this.#serveModernOn(transport, message as JSONRPCRequest, info);
      }
      if (m.method !== undefined && this.#initialized) {
        if (m.id !== undefined && isRoutedMethod(m.method)) {
          return void this.#serve(transport, message as JSONRPCRequest, (extra as { info?: RequestInfo } | undefined)?.info ?? this.#defaultInfo);
        }
        if (m.method === "notifications/cancelled" && m.params?.requestId !== undefined) {
          const call = this.#calls.get(m.params.requestId);
          if (call) return call.cancel(reasonText(m.params.reason, "cancelled by the client"));
        }
      }
      sdkOnMessage?.(message, extra);
    };
  }

  /**
   * A modern request on this pipe (stdio), answered on it; a listen stream's notifications go
   * out on it until the client cancels. A cancelled request gets no answer, as a legacy one.
   */
  #serveModernOn(transport: Transport, request: JSONRPCRequest, info: RequestInfo): void {
    const modern = this.#host.modern!;
    const cancellation = new Cancellation();
    this.#pipeRequests.set(request.id, cancellation);
    const send = (message: Record<string, unknown>) => void transport.send(message as never).catch(() => undefined);
    const reply = request.method === "subscriptions/listen" ? modern.listen(request, info, send, cancellation) : modern.answer(request, info, cancellation, send);
    void reply.then((answer) => {
      if (this.#pipeRequests.get(request.id) === cancellation) this.#pipeRequests.delete(request.id);
      if (!cancellation.cancelled) send(answer);
    });
  }

  async #serve(transport: Transport, request: JSONRPCRequest, info: RequestInfo): Promise<void> {
    const cancellation = new Cancellation();
    let reply: Record<string, unknown>;
    try {
      reply = { jsonrpc: "2.0", id: request.id, result: await this.#run(request, request.id, cancellation, info) };
    } catch (error) {
      reply = errorResponse(request.id, error);
    }
    // A cancelled request gets no answer (the client has stopped waiting for one); a transport
    // that holds the request's HTTP exchange open is told to stop waiting too.
    if (cancellation.cancelled) (transport as Partial<AbandoningTransport>).abandon?.(request.id);
    else await transport.send(reply as never).catch(() => undefined);
  }

  /**
   * A modern request on this scope, under a proxy-chosen id (modern clients' ids are only
   * unique per exchange, and concurrent requests of one identity share this scope).
   */
  serveModern(request: JSONRPCRequest, id: RequestId, cancellation: Cancellation, info: RequestInfo): Promise<Result> {
    return this.#run(request, id, cancellation, info);
  }

  /**
   * Builds the request's context and runs it through the pipeline current at its start. A
   * legacy client cannot answer a 2026-07-28 backend's input_required result: the proxy asks it
   * each input request (on the call's stream) and retries with the answers, and every retry
   * runs through the whole pipeline again (identity, policy, limits, filters, audit) as a
   * request of its own, so nothing reaches a backend unchecked.
   */
  async #run(request: JSONRPCRequest, id: RequestId, cancellation: Cancellation, info: RequestInfo): Promise<Result> {
    if (this.#era !== "modern" && MODERN_ONLY_METHODS.has(request.method)) throw new ProxyError("METHOD_NOT_FOUND", `Method not found: ${request.method}`);
    const raw = (request.params ?? {}) as Params;
    const contextFor = (params: Params): RequestContext => ({ method: request.method as RequestContext["method"], id, params, scope: this, info, cancellation, era: this.#era });
    const ctx = contextFor(this.#era === "modern" ? withoutEnvelope(raw) : raw);
    if (info.identity) this.#caller = info.identity;
    this.#lastInfo = info;
    // Fail closed before anything happens that the trail would have to record.
    if (this.#host.audit.refusing) throw AuditTrail.unavailable();
    this.#calls.set(id, cancellation);
    this.#host.requests.enter();
    this.#host.audit.inflight.enter();
    try {
      const first = await this.#runOnce(ctx);
      if (this.#era === "modern" || first.resultType !== "input_required") return first;
      return await fulfilInputRequired(
        first,
        (extra) => this.#runOnce(contextFor({ ...ctx.params, ...extra })),
        (question, signal) => this.#askClient(question, signal, id),
        cancellation,
        (ctx as Partial<RoutedContext>).target?.backend ?? ctx.method,
      );
    } finally {
      if (this.#calls.get(id) === cancellation) this.#calls.delete(id);
      this.#host.audit.inflight.leave();
      this.#host.requests.leave();
    }
  }

  /** One pass through the pipeline current at its start, observed and audited. */
  async #runOnce(ctx: RequestContext): Promise<Result> {
    const pipeline = this.#host.pipeline;
    const audit = this.#host.audit;
    const started = audit.enabled ? { wall: Date.now(), mono: performance.now() } : undefined;
    try {
      const observer = this.#host.observer;
      const result = observer ? await observer.request(ctx, pipeline, () => pipeline.handle(ctx)) : await pipeline.handle(ctx);
      if (started) audit.request(ctx, pipeline, started, { result });
      return result;
    } catch (error) {
      if (started) audit.request(ctx, pipeline, started, { error });
      if (isUnexpectedError(error)) {
        this.#host.logger.error({ err: error, method: ctx.method, requestId: ctx.id, session: this.sessionId }, "request failed with an unexpected error; the client was answered \"internal error\"");
      }
      throw error;
    }
  }

  // ClientScope: how the pipeline reaches backends for this client.

  async startOwn(backend: string): Promise<boolean> {
    return (await this.#reaches.get(backend)?.startOwn?.()) ?? false;
  }

  hasListing(backend: string): boolean {
    return this.#reaches.get(backend)?.lastKnown !== undefined;
  }

  // Every request to a backend passes its guard (concurrency cap, circuit breaker), whichever client sends it.

  forward(ctx: RoutedContext, method: string, params: Params): Promise<Result> {
    const reach = this.#reach(ctx.target.backend);
    const send = (p: Params) => reach.call(ctx.id, method, p, this.#callOptions(ctx, p));
    return this.#host.guards.for(ctx.target.backend).run(ctx.cancellation, () => (this.#host.observer ? this.#host.observer.upstream(ctx, method, params, send) : send(params)));
  }

  subscribe(ctx: RoutedContext): Promise<Result> {
    const reach = this.#reach(ctx.target.backend);
    const send = (p: Params) => reach.subscribe(ctx.id, p, this.#callOptions(ctx, p));
    return this.#host.guards.for(ctx.target.backend).run(ctx.cancellation, () => (this.#host.observer ? this.#host.observer.upstream(ctx, ctx.method, ctx.params, send) : send(ctx.params)));
  }

  unsubscribe(ctx: RoutedContext): Promise<Result> {
    const reach = this.#reach(ctx.target.backend);
    const send = (p: Params) => reach.unsubscribe(ctx.id, p, this.#callOptions(ctx, p));
    return this.#host.guards.for(ctx.target.backend).run(ctx.cancellation, () => (this.#host.observer ? this.#host.observer.upstream(ctx, ctx.method, ctx.params, send) : send(ctx.params)));
  }

  async setLogLevel(params: Params): Promise<Result> {
    await Promise.all([...this.#reaches.values()].map((r) => r.setLogLevel(params)));
    return {};
  }

  async listTasks(): Promise<Result> {
    const lists = await Promise.all([...this.#reaches.values()].map(async (r) => (await r.listTasks()).map((t) => namespaceTask(r.name, t))));
    return { tasks: lists.flat() };
  }

  #reach(backend: string): BackendReach {
    const reach = this.#reaches.get(backend);
    if (reach) return reach;
    throw new ProxyError("BACKEND_UNAVAILABLE", `backend "${backend}" is unavailable`, { backend });
  }

  /** Cancellation follows the client's; progress, when asked for, reaches the client with its own token. */
  #callOptions(ctx: RequestContext, params: Params): CallOptions {
    const clientToken = (params._meta as Params | undefined)?.progressToken;
    if (clientToken === undefined) return { cancellation: ctx.cancellation };
    const modern = this.#modernInputs;
    const onProgress = modern
      ? (progress: Params) => modern.related(ctx.id, "notifications/progress", { ...progress, progressToken: clientToken })
      : (progress: Params) =>
          void this.server.notification({ method: "notifications/progress", params: { ...progress, progressToken: clientToken } } as never, { relatedRequestId: ctx.id }).catch(() => undefined);
    return { cancellation: ctx.cancellation, onProgress };
  }

  // The handshake and the way back to the client.

  async #initialize(request: JSONRPCRequest): Promise<Result> {
    if (this.#initializing) throw new ProxyError("ALREADY_INITIALIZED", "Invalid Request: this session is already initialized");
    this.#initializing = true;
    const params = (request.params ?? {}) as { protocolVersion?: string; capabilities?: Record<string, unknown>; clientInfo?: { name: string; version: string } };
    await this.open(params.capabilities ?? {}, params.clientInfo);
    const offer = this.offer();
    const requested = params.protocolVersion ?? "";
    return {
      protocolVersion: SUPPORTED_PROTOCOL_VERSIONS.includes(requested) ? requested : SUPPORTED_PROTOCOL_VERSIONS[0]!,
      capabilities: offer.capabilities,
      serverInfo: { name: "mcp-portcullis", version: this.#host.version },
      ...(offer.instructions ? { instructions: offer.instructions } : {}),
    };
  }

  /**
   * Reaches every enabled backend on behalf of a client with these capabilities and builds its
   * surface: the handshake of a legacy session, the first request of a modern scope.
   */
  async open(capabilities: Record<string, unknown>, clientInfo: { name: string; version: string } | undefined): Promise<void> {
    this.#initializing = true;
    this.#clientCapabilities = capabilities;
    if (clientInfo) this.#clientInfo = clientInfo;
    const client = this.#poolClient();
    for (const backend of Object.values(this.#host.config.backends)) {
      if (backend.enabled) this.#reaches.set(backend.name, this.#host.pool.reach(backend, client));
    }
    await this.#openBackends();
    this.#rebuild(false);
    this.#initialized = true;
  }

  /** What the backends up now offer, merged: capabilities and joined instructions (initialize and server/discover). */
  offer(): { capabilities: Record<string, unknown>; instructions: string | undefined; freshness: Freshness } {
    const infos = [...this.#reaches.values()].flatMap((r) => (r.info ? [{ backend: r.name, info: r.info }] : []));
    // server/discover's promise: the least fresh of the backends' own (a legacy backend's is nothing).
    const freshness = mergeFreshness(infos.map(({ info }) => info.freshness ?? NO_PROMISE));
    return { capabilities: mergeCapabilities(infos), instructions: joinInstructions(infos), freshness };
  }

  /**
   * Waits for every backend to connect and list, but no longer than `limits.initializeWaitMs`:
   * one slow or hanging backend must not hold up the client. One that comes up later changes
   * the surface, and the client gets list_changed.
   */
  async #openBackends(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.#host.config.limits.initializeWaitMs)));
    try {
      await Promise.race([Promise.all([...this.#reaches.values()].map((r) => r.open())), bound]);
    } finally {
      clearTimeout(timer);
    }
  }

  #poolClient(): PoolClient {
    const toClient = (backend: string, method: string, params: Params | undefined, related: RequestId | undefined) => this.#notifyClient(backend, method, params, related);
    const ask = (backend: string, request: JSONRPCRequest, signal: AbortSignal, related: RequestId | undefined) => this.#askClient(request, signal, related);
    return {
      subscriber: { changed: () => this.#rebuild(), notification: toClient, request: ask },
      own: (backend) => ({
        changed: () => this.#rebuild(),
        notification: (method, params, related) => toClient(backend, method, params, related),
        request: (request, signal, related) => ask(backend, request, signal, related),
        asksByRounds: () => this.#modernInputs !== undefined,
      }),
      advertise: () => ({ info: this.#clientInfo, capabilities: this.#clientCapabilities }),
      // The caller who opened the session: a binding lets no one else use it.
      caller: callerKey(this.#defaultInfo.identity),
      callerToken: () => callerTokenOf(this.#caller),
    };
  }

  /** Rebuilds the surface; tells the client about every list whose content changed. */
  #rebuild(notify = true): void {
    if (this.#closed) return;
    const reaches = [...this.#reaches.values()];
    const backends = this.#host.config.backends;
    // A kept backend's listing carries the namespace it was started with; a reload may have renamed it.
    const current = (l: BackendListing) => {
      const namespace = backends[l.backend]?.namespace ?? l.namespace;
      return namespace === l.namespace ? l : { ...l, namespace };
    };
    const changed = this.#surface.rebuild(
      reaches.flatMap((r) => (r.listing ? current(r.listing) : [])),
      reaches.flatMap((r) => (r.lastKnown ? current(r.lastKnown) : [])),
      this.#host.pipeline.plan,
    );
    if (!notify || !this.#initialized) return;
    for (const method of changed) this.#tellListChanged(method);
  }

  /** A list the client sees has changed: a legacy session is told on its stream, a modern scope on its listen streams. */
  #tellListChanged(method: string): void {
    if (this.#modernInputs) this.#modernInputs.notify(method, undefined);
    else void this.server.notification({ method } as never).catch(() => undefined);
  }

  /** Passes a backend's notification on, on the stream of the call it belongs to when there is one. */
  #notifyClient(backend: string, method: string, params: Params | undefined, relatedRequestId: RequestId | undefined): void {
    const forwarded = method === "notifications/tasks/status" && params ? namespaceTask(backend, params) : params;
    // A modern client hears only what it listens for (subscriptions/listen); the rest has no stream to go on.
    if (this.#modernInputs) return this.#modernInputs.notify(method, forwarded);
    void this.server.notification({ method, params: forwarded } as never, relatedRequestId === undefined ? {} : { relatedRequestId }).catch(() => undefined);
  }

  /** Sampling, elicitation, roots: asked of this session's client, on the stream of the request that caused them. */
  async #askClient(request: JSONRPCRequest, signal: AbortSignal, relatedRequestId: RequestId | undefined): Promise<Result> {
    // A modern client cannot be asked: its answer comes with its retry (input_required).
    if (this.#modernInputs) return this.#modernInputs.ask(request, relatedRequestId);
    return (await this.server.request({ method: request.method, params: request.params } as never, PASS_THROUGH, {
      signal,
      // A person may be the one answering: no proxy-side limit beyond the backend's own cancel.
      timeout: CLIENT_ANSWER_LIMIT_MS,
      ...(relatedRequestId === undefined ? {} : { relatedRequestId }),
    })) as Result;
  }

  // Reload: the gateway swapped its pipeline and config; the session follows.

  /**
   * Follows a reload's backend plan: removed backends drain and close; added ones start; a
   * changed one starts anew beside the old, which keeps serving until the new one's first
   * start settled and then drains (calls under way finish within `graceMs`). Kept ones are
   * untouched: same processes, same upstream sessions.
   */
  reconcile(plan: BackendPlan, graceMs: number): void {
    if (this.#closed || (!this.#initializing && !this.#initialized)) return;
    const client = this.#poolClient();
    for (const name of [...plan.removed, ...plan.changed]) {
      const pending = this.#replacing.get(name);
      this.#replacing.delete(name);
      if (pending) void pending.close();
    }
    for (const name of plan.removed) {
      const reach = this.#reaches.get(name);
      this.#reaches.delete(name);
      if (reach) void drainReach(reach, graceMs);
    }
    for (const backend of plan.order) {
      if (plan.added.has(backend.name)) {
        const reach = this.#host.pool.reach(backend, client);
        this.#reaches.set(backend.name, reach);
        void reach.open();
      } else if (plan.changed.has(backend.name)) {
        const next = this.#host.pool.reach(backend, client);
        this.#replacing.set(backend.name, next);
        void next.open().finally(() => this.#adopt(backend.name, next, graceMs));
      }
    }
    // Lists come in config order: put the reaches in the new config's order.
    const ordered = new Map<string, BackendReach>();
    for (const backend of plan.order) {
      const reach = this.#reaches.get(backend.name);
      if (reach) ordered.set(backend.name, reach);
    }
    this.#reaches.clear();
    for (const [name, reach] of ordered) this.#reaches.set(name, reach);
  }

  /** A changed backend's new reach takes over; the old one drains. */
  #adopt(name: string, next: BackendReach, graceMs: number): void {
    if (this.#replacing.get(name) !== next) return;
    this.#replacing.delete(name);
    if (this.#closed) return void next.close();
    const old = this.#reaches.get(name);
    this.#reaches.set(name, next);
    if (old) void drainReach(old, graceMs);
    this.#rebuild();
  }

  /**
   * Rebuilds the surface under the new pipeline at once (the gateway calls this right after
   * the swap, for every session, before anything else runs) and returns the comparison, run
   * later: what the client could list before, under `previous` over the surface it had, against
   * what it can list now; the client is told of each list it now sees differently.
   */
  refresh(previous: Pipeline): () => Promise<void> {
    if (this.#closed || !this.#initialized) return async () => undefined;
    const before = this.#frozenScope();
    this.#rebuild(false);
    return async () => {
      const [old, now] = await Promise.all([visibleLists(previous, before, this.#lastInfo), visibleLists(this.#host.pipeline, this, this.#lastInfo)]);
      if (this.#closed) return;
      for (const method of LIST_NOTIFICATIONS) if (old[method] !== now[method]) this.#tellListChanged(method);
    };
  }

  /** This session as a scope whose surface stays the one it has now (list methods read nothing else). */
  #frozenScope(): ClientScope {
    const { live, known } = this.#surface;
    return {
      sessionId: this.sessionId,
      surface: live,
      knownSurface: known,
      labelsSeen: this.labelsSeen,
      taskOrigins: this.taskOrigins,
      hasListing: (backend) => this.hasListing(backend),
      startOwn: async () => false,
      forward: (ctx, method, params) => this.forward(ctx, method, params),
      subscribe: (ctx) => this.subscribe(ctx),
      unsubscribe: (ctx) => this.unsubscribe(ctx),
      setLogLevel: (params) => this.setLogLevel(params),
      listTasks: () => this.listTasks(),
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const pending of this.#replacing.values()) void pending.close();
    this.#replacing.clear();
    for (const call of this.#calls.values()) call.cancel("session closed");
    for (const pending of this.#pipeRequests.values()) pending.cancel("session closed");
    await Promise.all([...this.#reaches.values()].map((r) => r.close()));
    await this.server.close().catch(() => undefined);
    this.#host.closed(this);
  }
}

const PASS_THROUGH = { "~standard": { version: 1, vendor: "mcp-portcullis", validate: (value: unknown) => ({ value: value as Result }) } } as const;
