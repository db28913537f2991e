/** A secret value (as backend-spec's Revealable; restated so this module imports nothing back). */
type Revealable = string | { reveal(): string };

/**
 * How the proxy gets its own credential for a remote backend, as the upstream side sees it
 * (the resolved config has this shape; `src/backends` does not depend on the config module).
 */
export type BackendAuthSpec =
  | {
      readonly type: "clientCredentials";
      readonly tokenUrl: string;
      readonly clientId: string;
      readonly clientSecret: Revealable;
      readonly scope: string | undefined;
      readonly audience: string | undefined;
      readonly resource: string | undefined;
      readonly timeoutMs: number;
    }
  | {
      readonly type: "tokenExchange";
      readonly tokenUrl: string;
      readonly clientId: string;
      readonly clientSecret: Revealable;
      readonly scope: string | undefined;
      readonly audience: string;
      readonly resource: string | undefined;
      readonly timeoutMs: number;
    }
  | { readonly type: "oauth"; readonly scope: string | undefined; readonly timeoutMs: number };

/** Where the bearer token for one upstream session comes from. */
export interface CredentialSource {
  /**
   * A token to send now. `stale` is a token the backend has just refused (HTTP 401): the
   * source then gets a new one rather than hand the same one back. Fails with a
   * BACKEND_CREDENTIALS ProxyError naming the backend, within the configured timeout.
   */
  token(stale?: string): Promise<string>;
  /** The tokens this source has handed out and that may still be in use: masked like configured secrets. */
  recent(): readonly string[];
}

/** An access token and when it stops being valid (undefined: the server did not say). */
export interface IssuedToken {
  readonly accessToken: string;
  readonly expiresAt: number | undefined;
}
