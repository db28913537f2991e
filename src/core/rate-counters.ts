/**
 * The seam between the compiled `limit` stage and the counters it consumes. The stage is
 * rebuilt whenever the config is compiled; the counters are state, owned by the runtime, so a
 * recompile with the same limits counts on where the previous pipeline left off.
 */

/** What identifies one limit's counters: the same definition gets the same counters. */
export interface RateLimitDefinition {
  readonly name: string;
  readonly per: "identity" | "session" | "global";
  readonly requests: number;
  readonly windowMs: number;
}

export type RateVerdict = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterMs: number };

/** Counts one request under `key` (a caller, a session, or "" for global) and says whether it is within the limit. */
export type RateCounter = (key: string) => Promise<RateVerdict>;

export interface RateCounters {
  /** The counter of one limit; asked again with an equal definition, it returns the same counter. */
  counter(limit: RateLimitDefinition): RateCounter;
}

/** The key counters are kept under: a limit renamed, or given another size, per or window, starts afresh. */
export function rateLimitKey(limit: RateLimitDefinition): string {
  return `${limit.name}:${limit.per}:${limit.requests}:${limit.windowMs}`;
}
