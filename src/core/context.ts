import type { Cancellation } from "./cancellation.js";
import type { Era } from "./era.js";
import type { Surface } from "./surface.js";

/**
 * The requests the pipeline serves; everything else (initialize, ping) belongs to the
 * handshake. `METHODS` (methods.ts) must describe exactly these, which the compiler checks.
 */
export type RoutedMethod =
  | "tools/list" | "prompts/list" | "resources/list" | "resources/templates/list"
  | "tools/call" | "prompts/get" | "resources/read" | "resources/subscribe" | "resources/unsubscribe"
  | "completion/complete" | "logging/setLevel" | "tasks/get" | "tasks/result" | "tasks/cancel" | "tasks/list"
  | "tasks/update";

export type RequestId = string | number;
export type Params = Record<string, unknown>;
/** A JSON-RPC result, exactly as the backend sent it (or as the proxy built it). */
export type Result = Record<string, unknown>;

/** What a request names, resolved: the exposed name or URI a client used and where it lives. */
export interface Target {
  readonly kind: "tool" | "prompt" | "resource" | "resourceTemplate" | "task";
  /** The name, URI or task id as the client sees it. */
  readonly exposed: string;
  readonly backend: string;
  /** The name, URI or task id at the backend. */
  readonly original: string;
}

/** Who is calling, as policies and the audit see it: set by the binding that authenticated the request. */
export interface Identity {
  readonly sub: string;
  readonly iss?: string;
  readonly roles: readonly string[];
  /** OAuth scopes the caller's token grants (`scope` / `scp` of a JWT); empty for static tokens and stdio. */
  readonly scopes: readonly string[];
  readonly claims: Readonly<Record<string, unknown>>;
}

/**
 * Transport facts a binding knows about one incoming message. HTTP bindings share one object
 * between the messages of one POST; stdio has one for the whole session.
 */
export interface RequestInfo {
  /** The binding's configured name (session.binding in policies). */
  readonly binding: string;
  readonly transport: "stdio" | "streamable-http" | "legacy-sse";
  readonly headers?: Readonly<Record<string, string | string[] | undefined>>;
  readonly remoteAddress?: string;
  /** Who sent it: an HTTP binding authenticates every request, a stdio binding has its configured identity. */
  readonly identity?: Identity;
}

/** A policy's verdict on one request, kept on the context for the audit line. */
export interface Decision {
  readonly allowed: boolean;
  /** The deciding rule's name, or "default"; absent when no policy applies to the method. */
  readonly rule?: string;
  /** Refused because the list decision hides the item: the caller got the unknown-item answer. */
  readonly hidden?: boolean;
}

/**
 * One client's view of the gateway, as the pipeline sees it: its surface, and the ways to
 * reach backends on its behalf. The runtime implements it per client session; the pipeline
 * only calls it, so it stays free of sockets and processes.
 */
export interface ClientScope {
  readonly sessionId: string;
  /** The merged view of the backends that are up. */
  readonly surface: Surface;
  /** The same, including items of backends that are down, so a call to one names its backend. */
  readonly knownSurface: Surface;
  /** Whether this client has a listing of the backend, current or last known (false: never reached it). */
  hasListing(backend: string): boolean;
  /**
   * Starts this client's own upstream session with a per-client backend it has so far listed
   * from a shared catalog; true once that settled (its lists may now hold more), false when
   * there was nothing to start.
   */
  startOwn(backend: string): Promise<boolean>;
  /** Sends a request to the target's backend on this client's behalf and returns its result unchanged. */
  forward(ctx: RoutedContext, method: string, params: Params): Promise<Result>;
  subscribe(ctx: RoutedContext): Promise<Result>;
  unsubscribe(ctx: RoutedContext): Promise<Result>;
  setLogLevel(params: Params): Promise<Result>;
  /** Every task this client's calls created, across backends, ids namespaced. */
  listTasks(): Promise<Result>;
  /** Labels of every backend and item this session has been allowed to call or read (toxic-flow rules). */
  readonly labelsSeen: Set<string>;
  /** The call that created each of this session's tasks, by exposed task id: task methods are decided and filtered as that call. */
  readonly taskOrigins: Map<string, Target>;
}

/**
 * One client request on its way through the pipeline, built by the session from what the
 * binding handed over, and carried to the backend. Stages fill `identity` and `target`.
 */
export interface RequestContext {
  readonly method: RoutedMethod;
  readonly id: RequestId;
  params: Params;
  readonly scope: ClientScope;
  readonly info: RequestInfo;
  readonly cancellation: Cancellation;
  /** Which era of MCP the client spoke; absent means legacy (a session opened by initialize). */
  readonly era?: Era;
  identity?: Identity;
  target?: Target;
  /** Set by the authorize stage. */
  decision?: Decision;
  /** Shadow rules that would have changed the decision (for the audit line). */
  shadow?: ReadonlyArray<{ readonly rule: string; readonly effect: "allow" | "deny" }>;
  /** Names of the response filters applied to the result (for the audit line). */
  filtered?: readonly string[];
  /** Set by the cache stage for a request a cache rule matched: served from the cache, or not (for the audit line). */
  cache?: "hit" | "miss";
}

/** A context whose target has been resolved (every method that names an item). */
export type RoutedContext = RequestContext & { target: Target };

export type Handler = (ctx: RequestContext) => Promise<Result>;
export type Interceptor = (ctx: RequestContext, next: () => Promise<Result>) => Promise<Result>;
