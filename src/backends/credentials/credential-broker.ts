import { createHash } from "node:crypto";
import { LRUCache } from "lru-cache";
import { reveal } from "../backend-spec.js";
import type { RemoteBackendSpec } from "../backend-spec.js";
import { CachedToken } from "./cached-token.js";
import { credentialError } from "./credential-error.js";
import { LoginTokens } from "./login-tokens.js";
import { requestToken } from "./token-endpoint.js";
import type { TokenStore } from "./token-store.js";
import type { BackendAuthSpec, CredentialSource } from "./types.js";

/** Callers whose exchanged tokens are kept per backend; the least recently used go first. */
const MAX_CALLERS = 10_000;

const TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
const ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";

/**
 * The credential broker: for each backend with an `auth`, where its upstream sessions get
 * their bearer token. Backend-wide credentials (client credentials, a stored login) are one
 * source per backend config, shared by every session; exchanged tokens are cached per
 * caller token (keyed by its SHA-256), each until it expires. A reload gives new config
 * objects and so fresh caches.
 */
export class CredentialBroker {
  readonly #backendWide = new WeakMap<BackendAuthSpec, CredentialSource>();
  readonly #exchanges = new WeakMap<BackendAuthSpec, LRUCache<string, CachedToken>>();

  constructor(private readonly store: TokenStore) {}

  /** The source shared by every session of the backend; undefined without `auth` or for a per-caller one. */
  backendWide(backend: RemoteBackendSpec): CredentialSource | undefined {
    const auth = backend.auth;
    if (!auth || auth.type === "tokenExchange") return undefined;
    let source = this.#backendWide.get(auth);
    if (!source) {
      source = auth.type === "oauth" ? new LoginTokens(backend.name, backend.url, this.store, auth.timeoutMs) : clientCredentials(backend.name, auth);
      this.#backendWide.set(auth, source);
    }
    return source;
  }

  /**
   * The source for one client's own upstream session: for token exchange, the caller's
   * current token (read on every request, so a caller that refreshed its token gets a token
   * exchanged from the new one); otherwise the backend-wide source.
   */
  forCaller(backend: RemoteBackendSpec, callerToken: () => string | undefined): CredentialSource | undefined {
    const auth = backend.auth;
    if (auth?.type !== "tokenExchange") return this.backendWide(backend);
    let cache = this.#exchanges.get(auth);
    if (!cache) this.#exchanges.set(auth, (cache = new LRUCache<string, CachedToken>({ max: MAX_CALLERS })));
    const callers = cache;
    return {
      token(stale) {
        const subject = callerToken();
        if (subject === undefined) {
          return Promise.reject(credentialError(backend.name, "its token exchange needs the caller's token, and this caller presented none (a stdio binding, or auth: none)"));
        }
        const key = createHash("sha256").update(subject).digest("base64url");
        let cached = callers.get(key);
        if (!cached) callers.set(key, (cached = new CachedToken(() => exchange(backend.name, auth, subject))));
        return cached.token(stale);
      },
      recent() {
        const subject = callerToken();
        const token = subject === undefined ? undefined : callers.peek(createHash("sha256").update(subject).digest("base64url"))?.current;
        return token ? [token] : [];
      },
    };
  }
}

function clientCredentials(backend: string, auth: Extract<BackendAuthSpec, { type: "clientCredentials" }>): CredentialSource {
  const cached = new CachedToken(() =>
    requestToken({
      backend,
      tokenUrl: auth.tokenUrl,
      clientId: auth.clientId,
      clientSecret: reveal(auth.clientSecret),
      timeoutMs: auth.timeoutMs,
      form: { grant_type: "client_credentials", scope: auth.scope, audience: auth.audience, resource: auth.resource },
    }),
  );
  return { token: (stale) => cached.token(stale), recent: () => (cached.current ? [cached.current] : []) };
}

/** RFC 8693 §2.1: the caller's token as the subject; the issued token names the caller as its subject. */
function exchange(backend: string, auth: Extract<BackendAuthSpec, { type: "tokenExchange" }>, subjectToken: string) {
  return requestToken({
    backend,
    tokenUrl: auth.tokenUrl,
    clientId: auth.clientId,
    clientSecret: reveal(auth.clientSecret),
    timeoutMs: auth.timeoutMs,
    form: {
      grant_type: TOKEN_EXCHANGE,
      subject_token: subjectToken,
      subject_token_type: ACCESS_TOKEN_TYPE,
      requested_token_type: ACCESS_TOKEN_TYPE,
      audience: auth.audience,
      resource: auth.resource,
      scope: auth.scope,
    },
  });
}
