/**
 * The one error type the proxy raises on purpose, with a closed set of codes, and the one
 * table that maps those codes to JSON-RPC numbers. `toJsonRpcError` is the one encoder: every
 * boundary (answers to clients, answers to a backend's requests, HTTP error bodies) goes
 * through it. Errors a backend sends are not ProxyErrors: they pass through unchanged.
 */
export const JSON_RPC = {
  parseError: -32700,
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  internalError: -32603,
  /** Implementation-defined server error range (-32000..-32099). */
  sessionNotFound: -32001,
  backendUnavailable: -32010,
  backendTimeout: -32011,
  forbidden: -32012,
  rateLimited: -32013,
  /** LSP's RequestCancelled; only ever internal: a cancelled request gets no answer. */
  requestCancelled: -32800,
  /** A backend refused the proxy's own credentials (HTTP 401/403): a configuration problem, not a crash. */
  backendCredentials: -32014,
  /** A backend's answer was larger than its `maxMessageBytes`. */
  backendMessageTooLarge: -32015,
  /** The answers to one request or batch would pass `limits.maxResponseBytes`. */
  responseTooLarge: -32016,
  /** A response filter's `maxResultBytes` refused a result. */
  resultTooLarge: -32017,
  /** The audit sink cannot write and `audit.onFailure` is "refuse": the request is not served unrecorded. */
  auditUnavailable: -32018,
  /** HTTP 401: no or an unknown credential (the body of the 401 answer). */
  unauthenticated: -32019,
  /** 2026-07-28 (spec): MCP-Protocol-Version, Mcp-Method or Mcp-Name disagrees with the body, HTTP 400. */
  headerMismatch: -32020,
  /** 2026-07-28 (spec): the request needs a client capability its envelope does not declare. */
  missingClientCapability: -32021,
  /** 2026-07-28 (spec): the envelope names a protocol version the proxy does not serve; data lists the supported ones. */
  unsupportedVersion: -32022,
  /** A concurrency cap (a backend's maxConcurrent, a limits.concurrency rule) stayed full for its whole maxQueueMs. */
  concurrencyLimit: -32023,
  /** A backend's circuit breaker is open after consecutive failures: calls fail fast until its cool-down ends. */
  circuitOpen: -32024,
  /** A caller already holds as many sessions as its per-identity cap allows (limits.maxSessionsPerIdentity, a backend's maxSessionsPerIdentity). */
  identitySessionLimit: -32025,
  /** HTTP 403: a valid token without a scope `auth.requiredScopes` lists (the body of the 403 answer). */
  insufficientScope: -32026,
  /** The gateway is shutting down (or the listener is being replaced by a reload): no new session here. */
  shuttingDown: -32027,
  /** HTTP 501 on POST /admin/reload: reload is turned on but this gateway has nothing to reload with. */
  reloadUnavailable: -32028,
} as const;

const CODE_TO_JSON_RPC = {
  PARSE_ERROR: JSON_RPC.parseError,
  INVALID_REQUEST: JSON_RPC.invalidRequest,
  MESSAGE_TOO_LARGE: JSON_RPC.invalidRequest,
  BODY_TOO_LARGE: JSON_RPC.invalidRequest,
  HOST_NOT_ALLOWED: JSON_RPC.invalidRequest,
  ORIGIN_NOT_ALLOWED: JSON_RPC.invalidRequest,
  NOT_FOUND: JSON_RPC.invalidRequest,
  HTTP_METHOD_NOT_ALLOWED: JSON_RPC.invalidRequest,
  NOT_ACCEPTABLE: JSON_RPC.invalidRequest,
  UNSUPPORTED_PROTOCOL_VERSION: JSON_RPC.invalidRequest,
  SESSION_REQUIRED: JSON_RPC.invalidRequest,
  ALREADY_INITIALIZED: JSON_RPC.invalidRequest,
  NOT_INITIALIZED: JSON_RPC.invalidRequest,
  DUPLICATE_REQUEST_ID: JSON_RPC.invalidRequest,
  /** A batch with more messages than `limits.maxBatchSize`, refused whole. */
  BATCH_TOO_LARGE: JSON_RPC.invalidRequest,
  RESPONSE_TOO_LARGE: JSON_RPC.responseTooLarge,
  SESSION_NOT_FOUND: JSON_RPC.sessionNotFound,
  /** A legacy SSE client asking before initializing: its stream reconnected to a new session (a proxy restart), so its own session is gone. */
  SSE_SESSION_NOT_INITIALIZED: JSON_RPC.sessionNotFound,
  TOO_MANY_SESSIONS: JSON_RPC.internalError,
  TOO_MANY_UNINITIALIZED_SESSIONS: JSON_RPC.internalError,
  TOO_MANY_CONNECTIONS: JSON_RPC.internalError,
  /** HTTP 503: a new session asked of a gateway that is draining for shutdown, or of a listener a reload replaced. */
  SHUTTING_DOWN: JSON_RPC.shuttingDown,
  /** Only ever logged: a stream cut off because its client read too slowly has nobody to tell. */
  SLOW_CONSUMER: JSON_RPC.internalError,
  /** Only ever logged: a session closed because it never completed its handshake. */
  HANDSHAKE_TIMEOUT: JSON_RPC.internalError,
  UNKNOWN_TOOL: JSON_RPC.invalidParams,
  UNKNOWN_PROMPT: JSON_RPC.invalidParams,
  // -32602, not the older -32002: the SDK rewrites -32002 on the wire for every era, so say what clients get.
  UNKNOWN_RESOURCE: JSON_RPC.invalidParams,
  UNKNOWN_TASK: JSON_RPC.invalidParams,
  INVALID_CURSOR: JSON_RPC.invalidParams,
  INVALID_PARAMS: JSON_RPC.invalidParams,
  METHOD_NOT_FOUND: JSON_RPC.methodNotFound,
  BACKEND_UNAVAILABLE: JSON_RPC.backendUnavailable,
  BACKEND_TIMEOUT: JSON_RPC.backendTimeout,
  FORBIDDEN: JSON_RPC.forbidden,
  /** A filter's maxResultBytes; data names the filter. */
  RESULT_TOO_LARGE: JSON_RPC.resultTooLarge,
  AUDIT_UNAVAILABLE: JSON_RPC.auditUnavailable,
  UNAUTHENTICATED: JSON_RPC.unauthenticated,
  INSUFFICIENT_SCOPE: JSON_RPC.insufficientScope,
  /** /status, /metrics or /admin/* without the admin token (admin.exposure "token"), or a reload without a credential. */
  ADMIN_UNAUTHENTICATED: JSON_RPC.unauthenticated,
  RELOAD_UNAVAILABLE: JSON_RPC.reloadUnavailable,
  /** A rate limit of limits.rateLimits; data names the limit and when to retry. */
  RATE_LIMITED: JSON_RPC.rateLimited,
  /** data: backend, limit (the cap), waitedMs; `cap` names a limits.concurrency rule. */
  CONCURRENCY_LIMIT: JSON_RPC.concurrencyLimit,
  /** data: backend, retryAfterMs. */
  CIRCUIT_OPEN: JSON_RPC.circuitOpen,
  /** One caller's cap on client sessions, or on upstream sessions with one backend; data names the limit. */
  IDENTITY_SESSION_LIMIT: JSON_RPC.identitySessionLimit,
  REQUEST_CANCELLED: JSON_RPC.requestCancelled,
  INTERNAL: JSON_RPC.internalError,
  BACKEND_CREDENTIALS: JSON_RPC.backendCredentials,
  BACKEND_MESSAGE_TOO_LARGE: JSON_RPC.backendMessageTooLarge,
  /** The backend answered with something that is not a JSON-RPC message. */
  BACKEND_INVALID_MESSAGE: JSON_RPC.internalError,
  /** A modern request whose headers disagree with its body (or lack one the spec requires). */
  HEADER_MISMATCH: JSON_RPC.headerMismatch,
  /** A backend asked for sampling, elicitation or roots the modern client did not declare. */
  MISSING_CLIENT_CAPABILITY: JSON_RPC.missingClientCapability,
  /** A modern request naming a protocol version the proxy does not serve. */
  VERSION_NOT_SUPPORTED: JSON_RPC.unsupportedVersion,
  /** A retry's `requestState` that is not one this proxy sealed, was altered, has expired, or belongs to another caller or request. */
  INVALID_REQUEST_STATE: JSON_RPC.invalidParams,
} as const;

export type ProxyErrorCode = keyof typeof CODE_TO_JSON_RPC;

/** The JSON-RPC number a code is sent as. */
export function jsonRpcCodeOf(code: ProxyErrorCode): number {
  return CODE_TO_JSON_RPC[code];
}

export interface JsonRpcErrorObject {
  code: number;
  message: string;
  data?: unknown;
}

export class ProxyError extends Error {
  override name = "ProxyError";
  constructor(
    readonly code: ProxyErrorCode,
    message: string,
    readonly data?: Record<string, unknown>,
  ) {
    super(message);
  }
}

/**
 * What goes on the wire for any throw: a ProxyError by its table (its code also as
 * `data.reason`, so clients and logs can tell refusals apart); a JSON-RPC error from the far
 * side (a backend's, or a client's answer to a backend) with its code, message and data
 * unchanged; anything else as an internal error without internals.
 */
export function toJsonRpcError(error: unknown): JsonRpcErrorObject {
  if (error instanceof ProxyError) return { code: CODE_TO_JSON_RPC[error.code], message: error.message, data: { ...error.data, reason: error.code } };
  const candidate = error as { code?: unknown; message?: unknown; data?: unknown } | null;
  if (candidate && Number.isSafeInteger(candidate.code) && typeof candidate.message === "string") {
    return candidate.data === undefined
      ? { code: candidate.code as number, message: candidate.message }
      : { code: candidate.code as number, message: candidate.message, data: candidate.data };
  }
  return { code: JSON_RPC.internalError, message: "internal error" };
}

/**
 * Whether a throw is neither one of ours nor a JSON-RPC error from the far side: a bug, or a
 * custom interceptor that threw. The client gets only "internal error", so the operator's log
 * is the one place its message can be seen.
 */
export function isUnexpectedError(error: unknown): boolean {
  if (error instanceof ProxyError) return false;
  const candidate = error as { code?: unknown; message?: unknown } | null;
  return !(candidate && Number.isSafeInteger(candidate.code) && typeof candidate.message === "string");
}

/** The refusal of a request whose id is already in flight in the same session. */
export function duplicateRequestId(id: string | number): ProxyError {
  return new ProxyError("DUPLICATE_REQUEST_ID", `Invalid Request: request id ${JSON.stringify(id)} is already in flight in this session`);
}

/** A whole JSON-RPC error response; `id` is null when the request's id could not be read. */
export function errorResponse(id: string | number | null, error: unknown): { jsonrpc: "2.0"; id: string | number | null; error: JsonRpcErrorObject } {
  return { jsonrpc: "2.0", id, error: toJsonRpcError(error) };
}

/**
 * The SDK's encoders (its server for the handshake, its client for answers to a backend's
 * requests) copy `code`, `message` and `data` from whatever a handler throws and turn a
 * non-numeric code into -32603. Throwing this instead makes them emit `toJsonRpcError(error)`.
 */
export class WireError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
  }

  static from(error: unknown): WireError {
    const wire = toJsonRpcError(error);
    return new WireError(wire.code, wire.message, wire.data);
  }
}
