import type { CredentialSource } from "./types.js";

/**
 * A fetch that sends the backend's bearer token on every request to the backend's own
 * origin, and nowhere else: a redirect or an endpoint URL pointing at another host gets no
 * credential. A 401 is answered once with a fresh token (the old one was revoked or expired
 * early) before it reaches the transport. Whatever Authorization header the request carried
 * is replaced, so no other credential can ride along.
 */
export function authorizedFetch(inner: typeof fetch, source: CredentialSource, backendUrl: string): typeof fetch {
  const allowedOrigin = new URL(backendUrl).origin;
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.origin !== allowedOrigin) return inner(input, withoutAuthorization(init));
    const token = await source.token();
    const response = await inner(input, withAuthorization(init, token));
    if (response.status !== 401) return response;
    const fresh = await source.token(token);
    if (fresh === token) return response;
    await response.body?.cancel().catch(() => undefined);
    return inner(input, withAuthorization(init, fresh));
  };
}

function withAuthorization(init: RequestInit | undefined, token: string): RequestInit {
  const headers = new Headers(init?.headers);
  headers.set("authorization", `Bearer ${token}`);
  return { ...init, headers };
}

function withoutAuthorization(init: RequestInit | undefined): RequestInit | undefined {
  if (!init?.headers) return init;
  const headers = new Headers(init.headers);
  headers.delete("authorization");
  return { ...init, headers };
}
