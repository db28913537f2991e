/**
 * The one error type the proxy raises on purpose, with a closed set of codes, and the
 * one table that maps those codes to JSON-RPC numbers. Errors a backend sends are not
 * ProxyErrors: they pass through with the backend's own code and message.
 */
export const JSON_RPC = {
  parseError: -32700,
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  internalError: -32603,
  /** Implementation-defined server error range (-32000..-32099). */
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
} as const;

const CODE_TO_JSON_RPC = {
  UNKNOWN_TOOL: JSON_RPC.invalidParams,
  UNKNOWN_PROMPT: JSON_RPC.invalidParams,
  // -32602, not the older -32002: the SDK rewrites -32002 on the wire for every era, so say what clients get.
  UNKNOWN_RESOURCE: JSON_RPC.invalidParams,
  INVALID_CURSOR: JSON_RPC.invalidParams,
  INVALID_PARAMS: JSON_RPC.invalidParams,
  ALREADY_INITIALIZED: JSON_RPC.invalidRequest,
  METHOD_NOT_FOUND: JSON_RPC.methodNotFound,
  BACKEND_UNAVAILABLE: JSON_RPC.backendUnavailable,
  BACKEND_TIMEOUT: JSON_RPC.backendTimeout,
  FORBIDDEN: JSON_RPC.forbidden,
  RATE_LIMITED: JSON_RPC.rateLimited,
  REQUEST_CANCELLED: JSON_RPC.requestCancelled,
  INTERNAL: JSON_RPC.internalError,
  BACKEND_CREDENTIALS: JSON_RPC.backendCredentials,
  BACKEND_MESSAGE_TOO_LARGE: JSON_RPC.backendMessageTooLarge,
  /** The backend answered with something that is not a JSON-RPC message. */
  BACKEND_INVALID_MESSAGE: JSON_RPC.internalError,
} as const;

export type ProxyErrorCode = keyof typeof CODE_TO_JSON_RPC;

export class ProxyError extends Error {
  override name = "ProxyError";
  constructor(
    readonly code: ProxyErrorCode,
    message: string,
    readonly data?: Record<string, unknown>,
  ) {
    super(message);
  }

  /** The JSON-RPC `error` object a client receives. */
  toJsonRpc(): { code: number; message: string; data?: unknown } {
    return { code: CODE_TO_JSON_RPC[this.code], message: this.message, data: { ...this.data, reason: this.code } };
  }
}

/**
 * What a client receives for any throw: a ProxyError by its table, a backend's JSON-RPC
 * error unchanged (code, message, data), anything else as an internal error without internals.
 */
export function toJsonRpcError(error: unknown): { code: number; message: string; data?: unknown } {
  if (error instanceof ProxyError) return error.toJsonRpc();
  const candidate = error as { code?: unknown; message?: unknown; data?: unknown } | null;
  // A backend's JSON-RPC error (or a client's, on the way back): the same code, message and data.
  if (candidate && Number.isSafeInteger(candidate.code) && typeof candidate.message === "string") {
    return candidate.data === undefined
      ? { code: candidate.code as number, message: candidate.message }
      : { code: candidate.code as number, message: candidate.message, data: candidate.data };
  }
  return { code: JSON_RPC.internalError, message: "internal error" };
}

/**
 * An error shaped so the SDK's server encoder emits exactly `toJsonRpcError(error)`:
 * it copies `code`, `message` and `data` from whatever a handler throws.
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
