import { ProxyError } from "../../core/errors.js";

/**
 * The one error a credential failure becomes: -32014 naming the backend. The message says
 * what failed and never carries a token, a secret or a server's error description (which
 * may echo either); only the standard OAuth error code and the HTTP status.
 */
export function credentialError(backend: string, what: string, extra: Record<string, unknown> = {}): ProxyError {
  return new ProxyError("BACKEND_CREDENTIALS", `backend "${backend}": ${what}`, { backend, ...extra });
}
