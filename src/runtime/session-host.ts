import type { JSONRPCRequest } from "@modelcontextprotocol/server";
import type { Logger } from "pino";
import type { Pipeline } from "../compile/compile.js";
import type { ResolvedConfig } from "../config/index.js";
import type { Cancellation } from "../core/cancellation.js";
import type { ClientScope, Params, RequestId, RequestInfo, Result } from "../core/context.js";
import type { AuditTrail } from "./audit-trail.js";
import type { BackendGuards } from "./backend-guards.js";
import type { BackendPool } from "./backend-pool.js";
import type { RequestObserver } from "./ops/request-observer.js";

/** What a session needs of the gateway that owns it. */
export interface SessionHost {
  /** The pipeline current now: a request captures it once and finishes on it. */
  readonly pipeline: Pipeline;
  readonly config: ResolvedConfig;
  readonly pool: BackendPool;
  /** Each backend's concurrency cap and circuit breaker, shared by every client. */
  readonly guards: BackendGuards;
  readonly logger: Logger;
  readonly version: string;
  /** Where every routed request's audit line goes. */
  readonly audit: AuditTrail;
  /** Metrics and tracing around each request and upstream call (absent in bare test hosts). */
  readonly observer?: RequestObserver;
  /** Counts requests under way, so a shutdown can let them finish. */
  readonly requests: { enter(): void; leave(): void };
  /** Serves modern requests that arrive on a legacy transport's pipe (stdio); absent: none are served. */
  readonly modern?: {
    admits(binding: string): boolean;
    answer(request: JSONRPCRequest, info: RequestInfo, cancellation?: Cancellation, notify?: (message: Record<string, unknown>) => void): Promise<Record<string, unknown>>;
    listen(request: JSONRPCRequest, info: RequestInfo, send: (message: Record<string, unknown>) => void, cancellation: Cancellation): Promise<Record<string, unknown>>;
  };
  /** The session has closed (the gateway forgets it). */
  closed(session: ClientScope): void;
}

/** The way back to a modern client: no session, so no server→client requests and no unsolicited stream. */
export interface ModernInputs {
  /** A backend's request to the client, by the proxy-chosen id of the request it belongs to (the input_required bridge). */
  ask(request: JSONRPCRequest, relatedRequestId: RequestId | undefined): Promise<Result>;
  /** A notification for this scope's client: delivered on its open subscriptions/listen streams, if any asked for it. */
  notify(method: string, params: Params | undefined): void;
  /** A notification that belongs to one request in flight (progress): sent on that request's own response stream. */
  related(id: RequestId, method: string, params: Params): void;
}

/** A set that keeps nothing: a session-less scope has no history for rules to read. */
export class ForgetfulSet extends Set<string> {
  override add(_value: string): this {
    return this;
  }
}
