/**
 * What a 2026-07-28 backend promised about a cacheable result (`ttlMs`, `cacheScope`), kept as
 * an instant rather than a duration: the proxy serves a listing long after it asked for it, and
 * must not promise a client more than the backend promised when it answered.
 */
export interface Freshness {
  /** Epoch ms until which the backend said the result stays fresh; 0 (or any past instant) promises nothing. */
  readonly freshUntil: number;
  /** The backend said the result may differ between callers (`cacheScope: "private"`). */
  readonly private: boolean;
}

/** A legacy backend's promise, and the promise of a merge with no part: nothing. */
export const NO_PROMISE: Freshness = { freshUntil: 0, private: false };

/** The promise a result carries, counted from `askedAt` (when the request left: never later than the backend meant). */
export function freshnessOf(result: Record<string, unknown>, askedAt: number): Freshness {
  const ttl = result.ttlMs;
  const freshUntil = typeof ttl === "number" && Number.isFinite(ttl) && ttl > 0 ? askedAt + Math.floor(ttl) : 0;
  return { freshUntil, private: result.cacheScope === "private" };
}

/** Several results merged into one: fresh as long as the least fresh part, private if any part is. */
export function mergeFreshness(parts: readonly Freshness[]): Freshness {
  if (parts.length === 0) return NO_PROMISE;
  return { freshUntil: Math.min(...parts.map((p) => p.freshUntil)), private: parts.some((p) => p.private) };
}

/** The fields a modern client's result carries for a promise, as of `now` (`cacheScope` only when private: the config may still make it so). */
export function cacheFields(freshness: Freshness, now = Date.now()): { ttlMs: number; cacheScope?: "private" } {
  const ttlMs = Math.max(0, freshness.freshUntil - now);
  return freshness.private ? { ttlMs, cacheScope: "private" } : { ttlMs };
}
