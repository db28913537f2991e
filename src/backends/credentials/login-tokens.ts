import { refreshAuthorization } from "@modelcontextprotocol/client";
import { credentialError } from "./credential-error.js";
import { expiryOf, type LoginRecord } from "./login-record.js";
import type { TokenStore } from "./token-store.js";
import type { CredentialSource } from "./types.js";

const MAX_MARGIN_MS = 30_000;

/**
 * The tokens `mcp-proxy login` stored for a backend that requires OAuth itself: the stored
 * access token while it is valid, then one refresh (refresh_token grant, single flight) whose
 * result is stored again. Without a usable login the answer names `mcp-proxy login BACKEND`.
 */
export class LoginTokens implements CredentialSource {
  #record: LoginRecord | undefined;
  #inflight: Promise<string> | undefined;

  constructor(
    private readonly backend: string,
    private readonly serverUrl: string,
    private readonly store: TokenStore,
    private readonly timeoutMs: number,
  ) {}

  token(stale?: string): Promise<string> {
    let record: LoginRecord;
    try {
      record = this.#load();
    } catch (error) {
      return Promise.reject(error);
    }
    if (usable(record, stale)) return Promise.resolve(record.tokens.access_token);
    // Before a refresh, the store may hold newer tokens than memory: the user ran `login` again
    // (as the errors below ask), or another gateway on the same state folder refreshed.
    const stored = this.#storedNewer(record);
    if (stored) {
      this.#record = record = stored;
      if (usable(record, stale)) return Promise.resolve(record.tokens.access_token);
    }
    const current = record;
    this.#inflight ??= this.#refresh(current).finally(() => (this.#inflight = undefined));
    return this.#inflight;
  }

  #storedNewer(record: LoginRecord): LoginRecord | undefined {
    try {
      const stored = this.store.read<LoginRecord>(this.backend);
      return stored && stored.serverUrl === this.serverUrl && stored.tokens.access_token !== record.tokens.access_token ? stored : undefined;
    } catch {
      return undefined;
    }
  }

  recent(): readonly string[] {
    return this.#record ? [this.#record.tokens.access_token] : [];
  }

  #load(): LoginRecord {
    if (this.#record) return this.#record;
    let record: LoginRecord | undefined;
    try {
      record = this.store.read<LoginRecord>(this.backend);
    } catch (error) {
      throw credentialError(this.backend, `${(error as Error).message}; run \`mcp-proxy login ${this.backend}\``);
    }
    if (!record) throw credentialError(this.backend, `it requires OAuth and no login is stored in ${this.store.dir}; run \`mcp-proxy login ${this.backend}\``);
    if (record.serverUrl !== this.serverUrl) {
      throw credentialError(this.backend, `the stored login is for another URL than the configured one; run \`mcp-proxy login ${this.backend}\``);
    }
    this.#record = record;
    return record;
  }

  async #refresh(record: LoginRecord): Promise<string> {
    const refreshToken = record.tokens.refresh_token;
    if (!refreshToken) throw credentialError(this.backend, `its stored access token expired and no refresh token was issued; run \`mcp-proxy login ${this.backend}\``);
    const timeoutMs = this.timeoutMs;
    let tokens;
    try {
      tokens = await refreshAuthorization(record.authorizationServerUrl, {
        metadata: record.authorizationServerMetadata as never,
        clientInformation: record.clientInformation as never,
        refreshToken,
        ...(record.resource ? { resource: record.resource } : {}),
        fetchFn: (url, init) => fetch(url, { ...init, redirect: "error", signal: AbortSignal.timeout(timeoutMs) }),
      });
    } catch (error) {
      const e = error as Error;
      const why = e.name === "TimeoutError" || e.name === "AbortError" ? `no answer within ${timeoutMs} ms` : e.name === "TypeError" ? "unreachable" : `refused (${oauthCode(e)})`;
      throw credentialError(this.backend, `refreshing its OAuth token failed: ${why}; if this persists, run \`mcp-proxy login ${this.backend}\``);
    }
    const next: LoginRecord = {
      ...record,
      // A server that does not rotate refresh tokens answers without one: the old one stays good.
      tokens: { ...tokens, refresh_token: tokens.refresh_token ?? refreshToken, obtainedAt: Date.now() },
    };
    this.store.write(this.backend, next);
    this.#record = next;
    return next.tokens.access_token;
  }
}

/** Whether a record's access token can be sent now: not the one just refused, and not within the renewal margin of its expiry. */
function usable(record: LoginRecord, stale: string | undefined): boolean {
  const expiresAt = expiryOf(record.tokens);
  const margin = expiresAt === undefined ? 0 : Math.min(MAX_MARGIN_MS, (expiresAt - record.tokens.obtainedAt) / 4);
  return record.tokens.access_token !== stale && (expiresAt === undefined || Date.now() < expiresAt - margin);
}

/** The OAuth error code of an SDK error, or its class name: never the server's description. */
function oauthCode(error: Error): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" && /^[a-z_]{1,64}$/.test(code) ? code : error.name;
}
