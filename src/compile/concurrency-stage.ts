import type { ResolvedConcurrencyCap } from "../config/index.js";
import type { ConcurrencyGates, GateRefusal } from "../core/concurrency-gate.js";
import { untilCancelled } from "../core/cancellation.js";
import type { Interceptor } from "../core/context.js";
import { ProxyError } from "../core/errors.js";
import { compileMatch } from "../filters/index.js";
import { filterTarget } from "./filter-results.js";

/**
 * `limits.concurrency`: caps on the requests that name an item, across all clients, each
 * request counted against the first cap that matches it. It runs right before forward, after
 * the cache, so an answer served from the cache takes no place. The gates come from the
 * runtime and outlive a recompile: a reload does not reset what is in flight.
 */
export function concurrencyStage(caps: readonly ResolvedConcurrencyCap[], gates: ConcurrencyGates): Interceptor {
  const compiled = caps.map((cap) => ({ cap, matches: compileMatch(cap.match), gate: gates.for(cap.name, cap.maxConcurrent, cap.maxQueueMs) }));
  return async (ctx, next) => {
    const target = ctx.target && filterTarget(ctx);
    const chosen = target && compiled.find((c) => c.matches(target));
    if (!chosen) return next();
    const { cap, gate } = chosen;
    try {
      await gate.acquire(ctx.cancellation);
    } catch (error) {
      const refusal = error as GateRefusal;
      if (refusal.kind === "cancelled") throw new ProxyError("REQUEST_CANCELLED", "request cancelled while waiting for a free place");
      throw new ProxyError(
        "CONCURRENCY_LIMIT",
        `"${ctx.target!.exposed}" is busy: all ${cap.maxConcurrent} places of concurrency cap "${cap.name}" (limits.concurrency) are in use and none came free within ${cap.maxQueueMs} ms; try again later`,
        { backend: ctx.target!.backend, cap: cap.name, limit: cap.maxConcurrent, waitedMs: refusal.waitedMs },
      );
    }
    try {
      // A request its client cancelled gives its place back at once, answered or not.
      return await untilCancelled(ctx.cancellation, next());
    } finally {
      gate.release();
    }
  };
}
