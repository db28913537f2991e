import { createHash } from "node:crypto";
import { type JSONRPCRequest, specTypeSchemas } from "@modelcontextprotocol/server";
import { callerKey } from "../../core/authentication.js";
import { Cancellation } from "../../core/cancellation.js";
import type { Params, RequestId, RequestInfo, Result } from "../../core/context.js";
import { canonicalJson, META, MODERN_VERSIONS, type ModernEnvelope, modernEnvelope } from "../../core/era.js";
import { errorResponse, ProxyError } from "../../core/errors.js";
import { cacheFields } from "../../core/freshness.js";
import { isRoutedMethod } from "../../core/methods.js";
import type { ResolvedConfig } from "../../config/index.js";
import type { InputBridge } from "./input-bridge.js";
import type { ClientSession } from "../client-session.js";
import type { ListenFilter } from "./listen-streams.js";
import { tasksCapabilityRefusal } from "./modern-checks.js";
import type { ModernScopes } from "./modern-scopes.js";
import type { RequestStateSeal } from "./request-state.js";
import { cacheScopeOf, stampResult } from "./result-stamp.js";

/** Methods whose backend may ask its client for input mid-call (the spec's input_required methods). */
const INPUT_METHODS: ReadonlySet<string> = new Set(["tools/call", "prompts/get", "resources/read"]);
/** Routed methods that belong to the legacy era only (2026-07-28 has no logging/setLevel, no tasks/result or tasks/list; subscribing is subscriptions/listen). */
const LEGACY_ONLY: ReadonlySet<string> = new Set(["logging/setLevel", "resources/subscribe", "resources/unsubscribe", "tasks/result", "tasks/list"]);

export interface ModernServerHost {
  readonly config: ResolvedConfig;
  readonly version: string;
  readonly scopes: ModernScopes;
  readonly bridge: InputBridge;
  readonly seal: RequestStateSeal;
}

/**
 * Serves 2026-07-28 requests, whichever binding they came on: `server/discover` and every
 * routed method, each through the same pipeline as a legacy session's (in the caller's
 * session-less scope), with `resultType` on every result and `ttlMs`/`cacheScope` on lists
 * and reads.
 */
export class ModernServer {
  #next = 0;
  /** Where each modern request in flight takes its related notifications (progress), by proxy-chosen id. */
  readonly #related = new Map<string, (message: Record<string, unknown>) => void>();

  constructor(private readonly host: ModernServerHost) {}

  /** The JSON-RPC response to one modern request; never throws. */
  async answer(request: JSONRPCRequest, info: RequestInfo, cancellation = new Cancellation(), notify?: (message: Record<string, unknown>) => void): Promise<Record<string, unknown>> {
    try {
      return { jsonrpc: "2.0", id: request.id, result: await this.#serve(request, info, cancellation, notify) };
    } catch (error) {
      return errorResponse(request.id, error);
    }
  }

  /**
   * subscriptions/listen: acknowledges with what it grants (list changes as asked; each
   * resource URI only if the caller may subscribe to it, decided by the pipeline as a
   * resources/subscribe), then sends the matching notifications until the client goes
   * (cancellation) or the scope closes (then the listen request is answered). Resolves with
   * the final response.
   */
  async listen(request: JSONRPCRequest, info: RequestInfo, send: (message: Record<string, unknown>) => void, cancellation: Cancellation): Promise<Record<string, unknown>> {
    try {
      const envelope = envelopeOf(request);
      const asked = (request.params as Params | undefined)?.notifications;
      if (typeof asked !== "object" || asked === null || Array.isArray(asked)) throw new ProxyError("INVALID_PARAMS", "Invalid params: subscriptions/listen needs params.notifications (an object)");
      const serverInfo = { name: "mcp-portcullis", version: this.host.version };
      return await this.host.scopes.use(info, envelope, async (session, scope) => {
        const granted = await this.#grant(asked as ListenFilter, session, info, cancellation);
        const stream = scope.listens.open(request.id, granted, send);
        send({ jsonrpc: "2.0", method: "notifications/subscriptions/acknowledged", params: { notifications: granted, _meta: { [META.subscriptionId]: request.id } } });
        await Promise.race([stream.ended, new Promise<void>((resolve) => cancellation.onCancel(() => resolve()))]);
        for (const uri of stream.close()) {
          void session.serveModern({ jsonrpc: "2.0", id: 0, method: "resources/unsubscribe", params: { uri } }, this.#id(), new Cancellation(), info).catch(() => undefined);
        }
        return { jsonrpc: "2.0", id: request.id, result: { resultType: "complete", _meta: { [META.subscriptionId]: request.id, [META.serverInfo]: serverInfo } } };
      });
    } catch (error) {
      return errorResponse(request.id, error);
    }
  }

  async #grant(asked: ListenFilter, session: ClientSession, info: RequestInfo, cancellation: Cancellation): Promise<ListenFilter> {
    const granted: ListenFilter = {};
    for (const flag of ["toolsListChanged", "promptsListChanged", "resourcesListChanged"] as const) if (asked[flag] === true) granted[flag] = true;
    if (!Array.isArray(asked.resourceSubscriptions)) return granted;
    const uris: string[] = [];
    for (const uri of asked.resourceSubscriptions) {
      if (typeof uri !== "string" || uris.includes(uri)) continue;
      try {
        // Through the pipeline, for every stream (even when another of the scope holds the URI: the
        // rules may have changed since, by a reload or the clock): the decision a legacy client's
        // resources/subscribe gets, and an audit line. A repeated subscribe upstream is harmless.
        await session.serveModern({ jsonrpc: "2.0", id: 0, method: "resources/subscribe", params: { uri } }, this.#id(), cancellation, info);
        uris.push(uri);
      } catch {
        // Refused, unknown or its backend down: not granted, which the acknowledgement says.
      }
    }
    granted.resourceSubscriptions = uris;
    return granted;
  }

  /** A notification that belongs to a modern request in flight (its progress): sent on that request's response stream. */
  related(id: RequestId, method: string, params: Params | undefined): void {
    this.#related.get(String(id))?.({ jsonrpc: "2.0", method, params });
  }

  async #serve(request: JSONRPCRequest, info: RequestInfo, cancellation: Cancellation, notify: ((message: Record<string, unknown>) => void) | undefined): Promise<Result> {
    // The modern era has no initialize: with a modern claim it is an unknown method like any other.
    if (request.method === "initialize") throw new ProxyError("METHOD_NOT_FOUND", "Method not found: initialize");
    const envelope = envelopeOf(request);
    const cacheScope = cacheScopeOf(this.host.config);
    const serverInfo = { name: "mcp-portcullis", version: this.host.version };
    if (request.method === "server/discover") {
      const offer = await this.host.scopes.use(info, envelope, async (session) => session.offer());
      return stampResult("server/discover", {
        supportedVersions: [...MODERN_VERSIONS],
        capabilities: modernCapabilities(offer.capabilities),
        ...(offer.instructions ? { instructions: offer.instructions } : {}),
        ...cacheFields(offer.freshness),
      }, cacheScope, serverInfo);
    }
    if (!isRoutedMethod(request.method) || LEGACY_ONLY.has(request.method)) throw new ProxyError("METHOD_NOT_FOUND", `Method not found: ${request.method}`);
    const undeclared = tasksCapabilityRefusal(request.method, envelope);
    if (undeclared) throw undeclared;
    const id = this.#id();
    if (notify) this.#related.set(id, notify);
    try {
      const result = INPUT_METHODS.has(request.method) ? await this.#withInputs(request, envelope, info, cancellation, id) : await this.host.scopes.use(info, envelope, (scope) => scope.serveModern(request, id, cancellation, info));
      return stampResult(request.method, result, cacheScope, serverInfo);
    } finally {
      this.#related.delete(id);
    }
  }

  /**
   * Runs a call whose backend may ask for input. A retry's sealed state must be this caller's
   * for this very request; its earlier answers and this round's replay to the backend.
   */
  async #withInputs(request: JSONRPCRequest, envelope: ModernEnvelope, info: RequestInfo, cancellation: Cancellation, id: string): Promise<Result> {
    const { inputResponses, requestState, ...params } = (request.params ?? {}) as Params;
    const caller = `${info.binding}\u0000${callerKey(info.identity)}`;
    const digest = digestOf(request.method, params);
    let responses: Record<string, unknown> = {};
    let forwarded: Params = params;
    if (requestState !== undefined) {
      const state = await this.host.seal.open(requestState, { caller, digest });
      const given = (typeof inputResponses === "object" && inputResponses !== null ? inputResponses : {}) as Record<string, unknown>;
      if (state.passedThrough === true) {
        // A modern backend asked: its answers and its own state go back to it as the client gave them.
        forwarded = { ...params, inputResponses: given, ...(state.backendState === undefined ? {} : { requestState: state.backendState }) };
      } else {
        const missing = state.pending.filter((key) => given[key] === undefined);
        if (missing.length) throw new ProxyError("INVALID_PARAMS", `Invalid params: inputResponses lacks ${missing.join(", ")}`);
        responses = { ...state.responses };
        for (const key of state.pending) responses[key] = given[key];
      }
    } else if (inputResponses !== undefined) {
      // Answers nobody asked for through us (no state of ours): the backend decides what to make of
      // them, as it would if reached directly (a 2026-07-28 server ignores or re-asks; the bridge
      // starts its round without them, so a legacy backend's questions are still asked).
      forwarded = { ...params, inputResponses };
    }
    const round = new Cancellation();
    const stop = cancellation.onCancel((reason) => round.cancel(reason));
    try {
      const result = await this.host.scopes.use(info, envelope, (scope) =>
        new Promise<Result>((resolve, reject) => {
          this.host.bridge.begin(id, responses, (key, inputRequest) => {
            resolve({ resultType: "input_required", inputRequests: { [key]: inputRequest }, requestState: this.host.seal.seal({ caller, digest, responses, pending: [key] }), [BRIDGED]: true } as Result);
            round.cancel("the client is asked by input_required");
          });
          scope.serveModern({ ...request, params: forwarded }, id, round, info).then(resolve, reject);
        }),
      );
      return result.resultType === "input_required" && !isBridged(result) ? this.#sealBackendRound(result, caller, digest) : result;
    } finally {
      this.host.bridge.end(id);
      stop();
    }
  }

  /** A modern backend's own input_required, passed through: its requestState travels inside ours, sealed and bound like ours. */
  #sealBackendRound(result: Result, caller: string, digest: string): Result {
    const backendState = typeof result.requestState === "string" ? result.requestState : undefined;
    const keys = Object.keys((result.inputRequests ?? {}) as Record<string, unknown>);
    return { ...result, requestState: this.host.seal.seal({ caller, digest, responses: {}, pending: keys, passedThrough: true, ...(backendState === undefined ? {} : { backendState }) }) };
  }

  #id(): string {
    return `modern-${++this.#next}`;
  }
}

/** Whether an input_required result is the bridge's own (a legacy backend's request), which is sealed already. */
const BRIDGED = Symbol("bridged");
function isBridged(result: Result): boolean {
  return (result as { [BRIDGED]?: true })[BRIDGED] === true;
}

/** The request's envelope, if it names a version this proxy serves and capabilities a backend's initialize would take. */
function envelopeOf(request: JSONRPCRequest): ModernEnvelope {
  const envelope = modernEnvelope(request);
  if (!envelope) throw new ProxyError("INVALID_REQUEST", `Invalid Request: a modern request needs _meta["${META.protocolVersion}"]`);
  if (!MODERN_VERSIONS.includes(envelope.protocolVersion)) {
    throw new ProxyError("VERSION_NOT_SUPPORTED", `Unsupported protocol version: ${envelope.protocolVersion}`, { supported: [...MODERN_VERSIONS], requested: envelope.protocolVersion });
  }
  // The capabilities open the caller's scope: per-client backends are initialized with them. The
  // era's own envelope check leaves legacy-only keys (tasks) alone, and a shape initialize refuses
  // would fail every start of those backends, logged as theirs, until the scope idles out.
  const checked = specTypeSchemas.ClientCapabilities["~standard"].validate(envelope.clientCapabilities);
  const issue = "issues" in checked && checked.issues?.length ? checked.issues[0] : undefined;
  if (checked instanceof Promise || issue) {
    const key = [META.clientCapabilities, ...(issue?.path ?? []).map((p) => String(typeof p === "object" ? p.key : p))].join(".");
    throw new ProxyError("INVALID_PARAMS", `Invalid _meta envelope: ${key}: ${issue?.message ?? "not valid client capabilities"}`, { envelope: { key } });
  }
  return envelope;
}

/** What the request names, without what changes between rounds: a state answers exactly one request. */
function digestOf(method: string, params: Params): string {
  const { _meta: _m, ...rest } = params;
  return createHash("sha256").update(method).update("\u0000").update(canonicalJson(rest)).digest("base64url");
}

/** 2026-07-28 drops `logging` (no logging/setLevel) and subscribing by resources/subscribe (subscriptions/listen instead). */
function modernCapabilities(capabilities: Record<string, unknown>): Record<string, unknown> {
  const { logging: _l, tasks: _t, ...rest } = capabilities;
  return rest;
}
