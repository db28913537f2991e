import { Redis } from "ioredis";
import type { Logger } from "pino";
import { type IRateLimiterOptions, RateLimiterMemory, RateLimiterRedis } from "rate-limiter-flexible";
import { consumeFrom, MemoryRateCounters } from "../compile/memory-rate-counters.js";
import { type ResolvedLimits, revealValue } from "../config/index.js";
import { type RateCounter, type RateCounters, type RateLimitDefinition, rateLimitKey } from "../core/rate-counters.js";

/** Redis keys of the gateway's counters start with this, then the limit's definition key. */
const KEY_PREFIX = "mcp-portcullis:rl";

/**
 * Where the gateway's rate-limit counters live, for its whole life: the pipeline is compiled
 * against this object, so a recompile (hot reload) with the same limits keeps counting where
 * the last pipeline stopped, while a limit whose definition changed starts afresh.
 *
 * Memory (the default): this process only. Redis: every replica that points at the same Redis
 * shares each count. While Redis cannot be reached, each limit falls back to an in-memory
 * insurance limiter in this process (rate-limiter-flexible's `insuranceLimiter`), so the
 * proxy keeps serving, each replica enforcing the limit on its own; that is logged once per
 * outage, and `insuranceActive` / `insuranceDecisions` say so to status and metrics.
 */
export interface RateLimitStore extends RateCounters {
  /** "memory" or "redis". */
  readonly kind: string;
  /** True while decisions are taken by the in-memory insurance limiter (Redis unreachable). */
  readonly insuranceActive: boolean;
  /** Requests counted by the insurance limiter so far, in this process. */
  readonly insuranceDecisions: number;
  /** The Redis connection, when the store is Redis: other shared state (used requestStates) goes there too. */
  readonly redis?: Redis;
  close(): Promise<void>;
}

export function openRateLimitStore(store: ResolvedLimits["store"], logger: Logger): RateLimitStore {
  return store.type === "redis" ? new RedisRateLimitStore(revealValue(store.url), logger) : new MemoryRateLimitStore();
}

class MemoryRateLimitStore extends MemoryRateCounters implements RateLimitStore {
  readonly kind = "memory";
  readonly insuranceActive = false;
  readonly insuranceDecisions = 0;
  async close(): Promise<void> {}
}

class RedisRateLimitStore implements RateLimitStore {
  readonly kind = "redis";
  readonly #client: Redis;
  readonly #counters = new Map<string, RateCounter>();
  readonly #logger: Logger;
  #insuranceDecisions = 0;
  /** Whether the current outage was logged (once per outage, not once per reconnect attempt). */
  #outageLogged = false;
  #closing = false;

  constructor(url: string, logger: Logger) {
    this.#logger = logger.child({ component: "rate-limits" });
    this.#client = new Redis(url, {
      // A request must not wait for Redis to come back: a command while disconnected fails at
      // once and the insurance limiter decides; one in flight gets at most commandTimeout.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: 500,
      connectTimeout: 2000,
      retryStrategy: (attempt) => Math.min(250 * attempt, 2000),
    });
    // The URL may hold a password: it is never logged, only the error's own text.
    this.#client.on("error", (error: Error) => this.#outage(error.message));
    this.#client.on("close", () => this.#outage("connection closed"));
    this.#client.on("ready", () => {
      if (this.#outageLogged) this.#logger.info("rate limits: Redis reachable again; limits are shared by every replica again");
      this.#outageLogged = false;
    });
  }

  get insuranceActive(): boolean {
    return this.#client.status !== "ready";
  }

  get redis(): Redis {
    return this.#client;
  }

  get insuranceDecisions(): number {
    return this.#insuranceDecisions;
  }

  counter(limit: RateLimitDefinition): RateCounter {
    const key = rateLimitKey(limit);
    let counter = this.#counters.get(key);
    if (!counter) {
      const size: IRateLimiterOptions = { points: limit.requests, duration: limit.windowMs / 1000 };
      const insurance = new InsuranceLimiter(size, () => this.#insuranceDecisions++);
      counter = consumeFrom(
        new RateLimiterRedis({ ...size, storeClient: this.#client, keyPrefix: `${KEY_PREFIX}:${key}`, rejectIfRedisNotReady: true, insuranceLimiter: insurance }),
      );
      this.#counters.set(key, counter);
    }
    return counter;
  }

  #outage(why: string): void {
    if (this.#outageLogged || this.#closing) return;
    this.#outageLogged = true;
    this.#logger.warn({ err: why }, "rate limits: Redis is unreachable; each limit is enforced by this process's in-memory insurance limiter until it is back");
  }

  async close(): Promise<void> {
    this.#closing = true;
    this.#client.disconnect();
  }
}

/** The in-memory stand-in rate-limiter-flexible consults when Redis fails; it counts its decisions. */
class InsuranceLimiter extends RateLimiterMemory {
  constructor(
    options: IRateLimiterOptions,
    private readonly used: () => void,
  ) {
    super(options);
  }

  override consume(key: string | number, points?: number, options?: { [key: string]: unknown }) {
    this.used();
    return super.consume(key, points, options);
  }
}
