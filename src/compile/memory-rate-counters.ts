import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import { type RateCounter, type RateCounters, type RateLimitDefinition, rateLimitKey } from "../core/rate-counters.js";

/**
 * Counters in this process's memory (rate-limiter-flexible's fixed windows), one limiter per
 * limit definition. The runtime keeps one of these for the gateway's life so counts survive a
 * recompile; a pipeline compiled without counters (the CLI's policy tools) gets its own.
 */
export class MemoryRateCounters implements RateCounters {
  readonly #counters = new Map<string, RateCounter>();

  counter(limit: RateLimitDefinition): RateCounter {
    const key = rateLimitKey(limit);
    let counter = this.#counters.get(key);
    if (!counter) {
      counter = consumeFrom(new RateLimiterMemory({ points: limit.requests, duration: limit.windowMs / 1000 }));
      this.#counters.set(key, counter);
    }
    return counter;
  }
}

/**
 * A counter over any rate-limiter-flexible limiter: its refusal (a RateLimiterRes) becomes a
 * verdict with the time to wait; any other failure (a store that cannot answer and has no
 * insurance) is thrown, so the request fails rather than passing uncounted.
 */
export function consumeFrom(limiter: { consume(key: string): Promise<RateLimiterRes> }): RateCounter {
  return (key) =>
    limiter.consume(key).then(
      () => ({ allowed: true }),
      (refusal: unknown) => {
        if (refusal instanceof RateLimiterRes) return { allowed: false, retryAfterMs: Math.max(1, Math.ceil(refusal.msBeforeNext)) };
        throw refusal;
      },
    );
}
