import type { IssuedToken } from "./types.js";

/** Renew this long before expiry at most (a clock skew and a slow request fit in it). */
const MAX_MARGIN_MS = 30_000;

/**
 * One token, renewed before it expires: a quarter of its lifetime before, at most 30 s.
 * Concurrent callers share one renewal (single flight), so a burst of requests after
 * expiry costs the authorization server one token request. A renewal that fails while the
 * old token is still valid hands out the old one; past its expiry the failure is the answer.
 */
export class CachedToken {
  #current: { readonly token: string; readonly renewAt: number; readonly expiresAt: number } | undefined;
  #inflight: Promise<string> | undefined;

  constructor(private readonly issue: () => Promise<IssuedToken>) {}

  /** The current token (and none once it expired), for masking in errors and logs. */
  get current(): string | undefined {
    return this.#current && Date.now() < this.#current.expiresAt ? this.#current.token : undefined;
  }

  token(stale?: string): Promise<string> {
    const current = this.#current;
    const now = Date.now();
    if (current && current.token !== stale && now < current.renewAt) return Promise.resolve(current.token);
    this.#inflight ??= this.#renew(stale).finally(() => (this.#inflight = undefined));
    return this.#inflight;
  }

  async #renew(stale: string | undefined): Promise<string> {
    const previous = this.#current;
    try {
      const issued = await this.issue();
      const obtained = Date.now();
      const expiresAt = issued.expiresAt ?? Number.POSITIVE_INFINITY;
      const margin = Math.min(MAX_MARGIN_MS, (expiresAt - obtained) / 4);
      this.#current = { token: issued.accessToken, renewAt: expiresAt - margin, expiresAt };
      return issued.accessToken;
    } catch (error) {
      if (previous && previous.token !== stale && Date.now() < previous.expiresAt) return previous.token;
      throw error;
    }
  }
}
