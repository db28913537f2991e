import type { ResolvedRateLimit } from "../config/index.js";
import { callerKey } from "../core/authentication.js";
import type { Interceptor, RequestContext } from "../core/context.js";
import { ProxyError } from "../core/errors.js";
import type { RateCounter, RateCounters } from "../core/rate-counters.js";
import { compileMatch, type MatchData, type Matcher } from "../policy/index.js";

/** What a limit counts when its `match` names no methods: the calls, which are what cost a backend work. */
const CALL_METHODS: readonly string[] = ["tools/call", "prompts/get", "resources/read"];

interface CompiledLimit {
  readonly name: string;
  readonly applies: Matcher;
  /** The limit names backends, kinds or items: a request without a target (a list) is not one it counts. */
  readonly needsTarget: boolean;
  readonly keyOf: (ctx: RequestContext) => string;
  readonly count: RateCounter;
  readonly describe: string;
}

/**
 * The `limit` stage: every rate limit whose `match` covers the request counts it under its
 * `per` key (the caller, the session, or one global key), in config order; the first limit
 * that is over refuses the request with RATE_LIMITED, its name and when to retry. Matching is
 * the same `match` policies and filters use. Runs after authorize: a refused request costs no
 * one's quota.
 */
export function rateLimitStage(limits: readonly ResolvedRateLimit[], counters: RateCounters): Interceptor | undefined {
  if (limits.length === 0) return undefined;
  const compiled = limits.map(compileLimit(counters));
  return async (ctx, next) => {
    const data = matchData(ctx);
    for (const limit of compiled) {
      if (limit.needsTarget && !ctx.target) continue;
      if (!limit.applies(data)) continue;
      const verdict = await limit.count(limit.keyOf(ctx));
      if (!verdict.allowed) {
        throw new ProxyError("RATE_LIMITED", `Rate limited: ${limit.describe} (rate limit "${limit.name}"); retry in ${verdict.retryAfterMs} ms`, {
          limit: limit.name,
          retryAfterMs: verdict.retryAfterMs,
        });
      }
    }
    return next();
  };
}

function compileLimit(counters: RateCounters): (limit: ResolvedRateLimit) => CompiledLimit {
  return (limit) => {
    const match = limit.match ?? {};
    return {
      name: limit.name,
      applies: compileMatch({ ...match, methods: match.methods ?? CALL_METHODS }),
      needsTarget: match.backends !== undefined || match.kinds !== undefined || match.names !== undefined,
      keyOf: KEYS[limit.per],
      count: counters.counter(limit),
      describe: sizeText(limit),
    };
  };
}

/** `per`: whose requests share a count. A caller keeps its count across sessions and re-initializations. */
const KEYS: Record<ResolvedRateLimit["per"], (ctx: RequestContext) => string> = {
  identity: (ctx) => `i:${callerKey(ctx.identity)}`,
  session: (ctx) => `s:${ctx.scope.sessionId}`,
  global: () => "g",
};

const NO_TARGET = { kind: "task", name: "" } as const;

function matchData(ctx: RequestContext): MatchData {
  const target = ctx.target;
  return {
    request: { method: ctx.method },
    target: target ? { kind: target.kind, name: target.exposed } : NO_TARGET,
    backend: { name: target?.backend ?? "" },
  };
}

/** How a limit is shown in its refusal and the pipeline description: `2 requests per minute per identity`. */
function sizeText(limit: ResolvedRateLimit): string {
  return `${limit.requests} ${limit.requests === 1 ? "request" : "requests"} per ${windowText(limit.windowMs)}${limit.per === "global" ? "" : ` per ${limit.per}`}`;
}

export function describeRateLimit(limit: ResolvedRateLimit): string {
  return `${limit.name}: ${sizeText(limit)}`;
}

/** 60000 → "minute", 86400000 → "1 day", 90000 → "90 seconds". */
export function windowText(ms: number): string {
  const seconds = ms / 1000;
  for (const [unit, size] of [["day", 86_400], ["hour", 3_600], ["minute", 60]] as const) {
    if (seconds % size === 0) return seconds === size ? unit : `${seconds / size} ${unit}s`;
  }
  return seconds === 1 ? "second" : `${seconds} seconds`;
}
