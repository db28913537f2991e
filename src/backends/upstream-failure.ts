import { STATUS_CODES } from "node:http";
import { SdkHttpError, SseError, UnauthorizedError } from "@modelcontextprotocol/client";
import { ProxyError } from "../core/errors.js";
import { MessageTooLargeError } from "./bounded-fetch.js";

/** Thrown by a transport when a message cannot be turned into JSON (too deeply nested, a cycle). */
export class UnserializableMessageError extends Error {
  override name = "UnserializableMessageError";
}

/**
 * What a failed exchange with a backend means. Only `connection` ends the upstream session
 * (and restarts it); everything else fails the one request and leaves the backend alone, so
 * one client's odd request or one odd answer never costs the other clients their calls.
 */
export type UpstreamFailure = { readonly kind: "request"; readonly error: ProxyError } | { readonly kind: "connection"; readonly reason: string };

/**
 * Classifies an error from a transport. `scrub` removes the backend's credentials from any
 * text kept; a raw HTTP error body is never kept at all (the status and its standard reason phrase only).
 */
export function classifyFailure(error: unknown, backend: string, scrub: (text: string) => string): UpstreamFailure {
  const data = { backend };
  // The credential broker's own failure (token endpoint down, no login): already worded, naming the backend.
  const credentials = [error, (error as { cause?: unknown } | null)?.cause].find((e) => e instanceof ProxyError && e.code === "BACKEND_CREDENTIALS");
  if (credentials) return { kind: "request", error: credentials as ProxyError };
  if (error instanceof UnserializableMessageError || (error instanceof RangeError && /call stack/i.test(error.message))) {
    return {
      kind: "request",
      error: new ProxyError("INVALID_PARAMS", `the request could not be serialised for backend "${backend}": it is nested too deep or too large`, data),
    };
  }
  const tooLarge = [error, (error as { cause?: unknown } | null)?.cause].find((e) => e instanceof MessageTooLargeError);
  if (tooLarge) {
    const { bytes, limit } = tooLarge as MessageTooLargeError;
    return {
      kind: "request",
      error: new ProxyError("BACKEND_MESSAGE_TOO_LARGE", `backend "${backend}" answered with a message of ${bytes} bytes or more, over its limit of ${limit} bytes (maxMessageBytes)`, {
        ...data,
        bytes,
        limit,
      }),
    };
  }
  const status = httpStatusOf(error);
  if (status === 401 || status === 403) {
    return {
      kind: "request",
      error: new ProxyError("BACKEND_CREDENTIALS", `backend "${backend}" refused the proxy's credentials (HTTP ${status}); check its configured headers`, {
        ...data,
        status,
      }),
    };
  }
  // A server error on one POST is that request's failure: the session may be fine, and on a
  // shared backend a restart would fail every client's calls. A lost session (404) or a lost
  // stream is the connection's. The reason phrase is the standard one, never the server's own
  // text (which may echo a credential).
  const reason = status === undefined ? "" : `HTTP ${status} ${STATUS_CODES[status] ?? ""}`.trimEnd();
  if (status !== undefined && status >= 500 && error instanceof SdkHttpError) {
    return { kind: "request", error: new ProxyError("BACKEND_UNAVAILABLE", `backend "${backend}" failed this request: ${reason}`, { ...data, status }) };
  }
  if (status !== undefined) return { kind: "connection", reason };
  if (isNotJsonRpc(error)) {
    return { kind: "request", error: new ProxyError("BACKEND_INVALID_MESSAGE", `backend "${backend}" answered with a message that is not JSON-RPC`, data) };
  }
  return { kind: "connection", reason: scrub((error as Error)?.message ?? String(error)) };
}

/**
 * The HTTP status of an SDK transport error: a field on Streamable HTTP errors and on a legacy
 * SSE stream's error, inside the message of a legacy SSE POST's error.
 */
function httpStatusOf(error: unknown): number | undefined {
  if (error instanceof SdkHttpError) return error.status;
  if (error instanceof UnauthorizedError) return 401;
  if (error instanceof SseError && typeof error.code === "number" && error.code >= 400) return error.code;
  const match = error instanceof Error ? /\(HTTP (\d{3})\)/.exec(error.message) : null;
  return match ? Number(match[1]) : undefined;
}

/** A body that did not parse as JSON, or parsed into something that is not JSON-RPC. */
function isNotJsonRpc(error: unknown): boolean {
  const e = error as { name?: unknown; issues?: unknown } | null;
  return e?.name === "ZodError" || Array.isArray(e?.issues) || error instanceof SyntaxError;
}
