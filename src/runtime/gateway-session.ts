import { type JSONRPCRequest, type RequestId, type Result, Server, SUPPORTED_PROTOCOL_VERSIONS, type Transport } from "@modelcontextprotocol/server";
import type { Logger } from "pino";
import type { UpstreamSession } from "../backends/upstream-session.js";
import type { ResolvedConfig } from "../config/index.js";
import { Cancellation } from "../core/cancellation.js";
import { ProxyError, toJsonRpcError, WireError } from "../core/errors.js";
import { joinInstructions, mergeCapabilities } from "./capabilities.js";
import type { BackendSlots } from "./backend-slots.js";
import { PrivateBackends } from "./private-backends.js";
import { RequestRouter, ROUTED_METHODS } from "./request-router.js";
import type { SharedBackend, SharedBackends, SharedSubscriber } from "./shared-backend.js";
import { buildSurface, type NamingPlan, type Surface } from "./surface.js";

/** How long a backend's request to the client (sampling, elicitation, roots) may wait: a day. */
const CLIENT_ANSWER_LIMIT_MS = 24 * 60 * 60 * 1000;

/** A transport that keeps something open per request (an HTTP exchange) and can be told to let it go. */
interface AbandoningTransport {
  abandon(requestId: RequestId): void;
}

export interface SessionEnvironment {
  readonly config: ResolvedConfig;
  readonly plan: NamingPlan;
  readonly logger: Logger;
  readonly version: string;
  readonly slots: BackendSlots;
  readonly shared: SharedBackends;
}


/**
 * One client session: a downstream MCP server whose every request is routed to this
 * session's own upstream sessions (one per per-client backend) or to the shared ones, so no
 * client sees another's state. It owns the handshake, the merged surface, the hot path and the
 * way back to the client; the upstream lifecycles live in PrivateBackends and SharedBackend.
 */
export class GatewaySession {
  readonly server: Server;
  readonly #env: SessionEnvironment;
  /** This client's own upstream sessions (per-client backends). */
  readonly #own: PrivateBackends;
  /** Requests served on the hot path, by client request id, for cancellation. */
  readonly #calls = new Map<RequestId, Cancellation>();
  #surface: Surface;
  #fullSurface: Surface;
  #clientCapabilities: Record<string, unknown> = {};
  #clientInfo = { name: "mcp-portcullis", version: "0" };
  #closed = false;
  #initialized = false;
  #initializing = false;
  readonly router: RequestRouter;
  /** How this session takes part in backends shared by every client. */
  readonly #subscriber: SharedSubscriber;

  constructor(env: SessionEnvironment) {
    this.#env = env;
    this.#surface = this.#fullSurface = buildSurface([], env.plan);
    // The superset lets the SDK send every notification; what clients see is what initialize answers.
    this.server = new Server(
      { name: "mcp-portcullis", version: env.version },
      { capabilities: { tools: { listChanged: true }, prompts: { listChanged: true }, resources: { listChanged: true, subscribe: true }, logging: {}, completions: {} } },
    );
    // initialize and logging/setLevel go through the raw fallback: the typed handlers strip fields.
    this.server.removeRequestHandler("initialize");
    this.server.removeRequestHandler("logging/setLevel");
    this.router = new RequestRouter(this);
    const session = this;
    this.#own = new PrivateBackends(
      { logger: env.logger, slots: env.slots, client: () => ({ info: this.#clientInfo, capabilities: this.#clientCapabilities }) },
      {
        changed: () => this.#rebuild(),
        restored: (upstream) => this.router.restore(upstream),
        notification: (backend, method, params, related) => this.#forwardNotification(backend, method, params, related),
        request: (backend, req, signal, related) => this.#askClient(backend, req, signal, related),
      },
    );
    this.#subscriber = {
      changed: () => this.#rebuild(),
      notification: (backend, method, params, related) => this.#forwardNotification(backend, method, params, related),
      request: (backend, req, signal, related) => this.#askClient(backend, req, signal, related),
      get clientInfo() {
        return session.#clientInfo;
      },
      get clientCapabilities() {
        return session.#clientCapabilities;
      },
    };
    this.server.fallbackRequestHandler = async (request, ctx) => {
      try {
        if (request.method === "initialize") return await this.#initialize(request);
        return await this.router.handle(request, { id: ctx.mcpReq.id, cancellation: Cancellation.fromSignal(ctx.mcpReq.signal) });
      } catch (error) {
        throw WireError.from(error);
      }
    };
    this.server.fallbackNotificationHandler = async (n) => {
      if (n.method === "notifications/roots/list_changed") for (const up of this.upstreams()) void up.notify(n.method, n.params as never).catch(() => undefined);
    };
  }

  get surface(): Surface {
    return this.#surface;
  }

  get logger(): Logger {
    return this.#env.logger;
  }

  async connect(transport: Transport): Promise<void> {
    await this.server.connect(transport);
    // The hot path: once initialized, routed requests skip the SDK server's dispatch (schema
    // checks, per-request context) and are answered here, errors encoded by our one table.
    // The SDK keeps the handshake, ping, and the requests we send to the client.
    const sdkOnMessage = transport.onmessage;
    transport.onmessage = (message, extra) => {
      const m = message as { id?: RequestId; method?: string; params?: { requestId?: RequestId; reason?: unknown } };
      if (m.method !== undefined && this.#initialized) {
        if (m.id !== undefined && ROUTED_METHODS.has(m.method)) return void this.#serve(transport, message as JSONRPCRequest);
        if (m.method === "notifications/cancelled" && m.params?.requestId !== undefined) {
          const call = this.#calls.get(m.params.requestId);
          if (call) return call.cancel(m.params.reason ?? "cancelled by the client");
        }
      }
      sdkOnMessage?.(message, extra);
    };
  }

  async #serve(transport: Transport, request: JSONRPCRequest): Promise<void> {
    const cancellation = new Cancellation();
    this.#calls.set(request.id, cancellation);
    let reply: Record<string, unknown>;
    try {
      reply = { jsonrpc: "2.0", id: request.id, result: await this.router.handle(request, { id: request.id, cancellation }) };
    } catch (error) {
      reply = { jsonrpc: "2.0", id: request.id, error: toJsonRpcError(error) };
    } finally {
      this.#calls.delete(request.id);
    }
    // A cancelled request gets no answer (the client has stopped waiting for one); a transport
    // that holds the request's HTTP exchange open is told to stop waiting too.
    if (cancellation.cancelled) (transport as Partial<AbandoningTransport>).abandon?.(request.id);
    else await transport.send(reply as never).catch(() => undefined);
  }

  /** The upstream for a backend (reconnecting it if it was closed for idleness), or a precise error when it is down. */
  async upstreamFor(backend: string): Promise<UpstreamSession> {
    const shared = this.#sharedOf(backend);
    return shared ? shared.requireUpstream() : this.#own.upstreamFor(backend);
  }

  hasBackend(name: string): boolean {
    return this.#env.config.backends[name]?.enabled === true;
  }

  /** The enabled backend with no items known in this session whose namespace prefixes `name`, if any. */
  absentBackendFor(name: string): string | undefined {
    const { separator } = this.#env.config.naming;
    for (const backend of Object.values(this.#env.config.backends)) {
      if (!backend.enabled || !name.startsWith(`${backend.namespace}${separator}`)) continue;
      if (!this.#own.lastKnown(backend.name) && !this.#sharedOf(backend.name)?.lastKnown) return backend.name;
    }
    return undefined;
  }

  /** Route lookup that also knows the items of backends that are down. */
  get fullSurface(): Surface {
    return this.#fullSurface;
  }

  /** Every upstream that is up, private or shared. */
  upstreams(): UpstreamSession[] {
    return [...this.#own.upstreams(), ...this.#sharedBackends().flatMap((b) => b.upstream ?? [])];
  }

  #sharedOf(backend: string): SharedBackend | undefined {
    const config = this.#env.config.backends[backend];
    return config?.session === "shared" && config.enabled ? this.#env.shared.get(config) : undefined;
  }

  #sharedBackends(): SharedBackend[] {
    return Object.values(this.#env.config.backends).flatMap((b) => (b.session === "shared" && b.enabled ? [this.#env.shared.get(b)] : []));
  }

  /** Marks a downstream request as waiting on a backend, so that backend's requests to the client ride its stream. */
  track<T>(backend: string, id: RequestId, work: Promise<T>): Promise<T> {
    const shared = this.#sharedOf(backend);
    return shared ? shared.track(this.#subscriber, id, work) : this.#own.track(backend, id, work);
  }

  async #initialize(request: JSONRPCRequest): Promise<Result> {
    if (this.#initializing) throw new ProxyError("ALREADY_INITIALIZED", "Invalid Request: this session is already initialized");
    this.#initializing = true;
    const params = (request.params ?? {}) as { protocolVersion?: string; capabilities?: Record<string, unknown>; clientInfo?: { name: string; version: string } };
    this.#clientCapabilities = params.capabilities ?? {};
    if (params.clientInfo) this.#clientInfo = params.clientInfo;
    const enabled = Object.values(this.#env.config.backends).filter((b) => b.enabled);
    const own = enabled.filter((b) => b.session === "per-client");
    await Promise.all([this.#own.start(own), ...this.#sharedBackends().map((b) => b.attach(this.#subscriber))]);
    this.#rebuild(false);
    const infos = enabled.flatMap((b) => {
      const upstream = this.#own.upstream(b.name) ?? this.#sharedOf(b.name)?.upstream;
      return upstream ? [{ backend: b.name, info: upstream.info }] : [];
    });
    const requested = params.protocolVersion ?? "";
    const instructions = joinInstructions(infos);
    this.#initialized = true;
    return {
      protocolVersion: SUPPORTED_PROTOCOL_VERSIONS.includes(requested) ? requested : SUPPORTED_PROTOCOL_VERSIONS[0]!,
      capabilities: mergeCapabilities(infos),
      serverInfo: { name: "mcp-portcullis", version: this.#env.version },
      ...(instructions ? { instructions } : {}),
    };
  }

  /** Rebuilds the surface; tells the client about every list that changed. */
  #rebuild(notify = true): void {
    const order = Object.keys(this.#env.config.backends);
    const live = order.flatMap((name) => this.#own.listing(name) ?? this.#sharedOf(name)?.listing ?? []);
    const all = order.flatMap((name) => this.#own.lastKnown(name) ?? this.#sharedOf(name)?.lastKnown ?? []);
    const before = this.#surface;
    this.#surface = buildSurface(live, this.#env.plan);
    this.#fullSurface = buildSurface(all, this.#env.plan);
    if (!notify || !this.#initialized) return;
    const changed = (a: readonly unknown[], b: readonly unknown[]) => a.length !== b.length || JSON.stringify(a) !== JSON.stringify(b);
    const send = (method: string) => void this.server.notification({ method } as never).catch(() => undefined);
    if (changed(before.tools, this.#surface.tools)) send("notifications/tools/list_changed");
    if (changed(before.prompts, this.#surface.prompts)) send("notifications/prompts/list_changed");
    if (changed(before.resources, this.#surface.resources) || changed(before.resourceTemplates, this.#surface.resourceTemplates)) {
      send("notifications/resources/list_changed");
    }
  }

  /** Passes a backend's notification on, on the stream of the call it belongs to when there is one. */
  #forwardNotification(backend: string, method: string, params: Record<string, unknown> | undefined, relatedRequestId: RequestId | undefined): void {
    const forwarded = this.router.mapNotification(backend, method, params);
    void this.server.notification({ method, params: forwarded } as never, relatedRequestId === undefined ? {} : { relatedRequestId }).catch(() => undefined);
  }

  /** Sampling, elicitation, roots: asked of this session's client, on the stream of the request that caused them. */
  async #askClient(backend: string, request: JSONRPCRequest, signal: AbortSignal, relatedRequestId: RequestId | undefined): Promise<Result> {
    return (await this.server.request({ method: request.method, params: request.params } as never, PASS_THROUGH, {
      signal,
      // A person may be the one answering: no proxy-side limit beyond the backend's own cancel.
      timeout: CLIENT_ANSWER_LIMIT_MS,
      ...(relatedRequestId === undefined ? {} : { relatedRequestId }),
    })) as Result;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const call of this.#calls.values()) call.cancel("session closed");
    await Promise.all([this.#own.close(), ...this.#sharedBackends().map((b) => b.detach(this.#subscriber))]);
    await this.server.close().catch(() => undefined);
  }
}

const PASS_THROUGH = { "~standard": { version: 1, vendor: "mcp-portcullis", validate: (value: unknown) => ({ value: value as Result }) } } as const;
