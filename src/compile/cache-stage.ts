import { createHash } from "node:crypto";
import { CACHED_METHODS, type ResolvedCacheRule } from "../config/index.js";
import type { Interceptor, Params, RequestContext, Result } from "../core/context.js";
import { compileMatch, type TargetPredicate } from "../filters/index.js";
import { filterTarget } from "./filter-results.js";
import type { ResultStore } from "./result-store.js";

interface CompiledRule {
  readonly name: string;
  readonly matches: TargetPredicate;
  readonly ttlMs: number;
  readonly shared: boolean;
}

/**
 * The cache stage, innermost but for the concurrency caps and forward: authorization and
 * limits have run before it, and the filters wrap it, so a cached raw answer is filtered again
 * on every hit and every hit gets its audit line (marked `cache: "hit"`). Only answers that are
 * whole and the same for every asking are kept: no error, no `isError`, no task, nothing a call
 * asked progress for, nothing partial (input required).
 */
export function cacheStage(rules: readonly ResolvedCacheRule[], store: ResultStore): Interceptor {
  const compiled: CompiledRule[] = rules.map((r) => ({ name: r.name, matches: compileMatch(r.match), ttlMs: r.ttlMs, shared: r.scope === "shared" }));
  return async (ctx, next) => {
    if (!CACHED_METHODS.includes(ctx.method) || !ctx.target || !isPlainAsk(ctx.params)) return next();
    const target = filterTarget(ctx);
    const rule = target && compiled.find((r) => r.matches(target));
    if (!rule) return next();
    const key = keyOf(ctx, rule);
    if (key === undefined) return next();
    const hit = store.get(key);
    if (hit) {
      ctx.cache = "hit";
      return aged(JSON.parse(hit.json) as Result, hit.storedAt);
    }
    ctx.cache = "miss";
    const result = await next();
    const ttlMs = keepFor(result, rule);
    if (ttlMs > 0) {
      const method = ctx.method as "tools/call" | "resources/read";
      store.set(key, { json: JSON.stringify(result), backend: ctx.target.backend, method, original: ctx.target.original, storedAt: Date.now() }, ttlMs);
    }
    return result;
  };
}

/** A call that asks for progress, runs as a task or answers an input request gets a streamed or partial answer: never cached. */
function isPlainAsk(params: Params): boolean {
  const meta = params._meta as Params | undefined;
  return meta?.progressToken === undefined && params.task === undefined && params.inputResponses === undefined && params.requestState === undefined;
}

/**
 * Who may see the answer (the caller, or "*" under a shared rule), the item as exposed, and the
 * params in canonical form (keys sorted, `_meta` left out: it carries per-request protocol
 * data), hashed so a long argument list makes a short key. Undefined when the params cannot be
 * put in canonical form (nested too deep): such a request is simply not cached.
 */
function keyOf(ctx: RequestContext, rule: CompiledRule): string | undefined {
  const who = rule.shared ? "*" : [ctx.identity?.iss ?? "", ctx.identity?.sub ?? ""];
  let canonical: string;
  try {
    canonical = canonicalJson(ctx.params, true);
  } catch {
    return undefined;
  }
  const digest = createHash("sha256").update(canonical).digest("base64url");
  return JSON.stringify([rule.name, who, ctx.method, ctx.target!.backend, ctx.target!.exposed, digest]);
}

/** JSON with every object's keys in sorted order, so `{a,b}` and `{b,a}` are one key. */
export function canonicalJson(value: unknown, dropMeta = false): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(",")}]`;
  const keys = Object.keys(value).filter((k) => !(dropMeta && k === "_meta") && (value as Params)[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Params)[k])}`).join(",")}}`;
}

/** A kept answer's own freshness promise, less its age: a client must not cache it beyond what the backend promised when it answered. */
function aged(result: Result, storedAt: number): Result {
  if (typeof result.ttlMs !== "number") return result;
  return { ...result, ttlMs: Math.max(0, result.ttlMs - (Date.now() - storedAt)) };
}

/** How long to keep an answer, 0 for not at all; a backend's own shorter `ttlMs` wins. */
function keepFor(result: Result, rule: CompiledRule): number {
  if (result.isError === true || result.task !== undefined) return 0;
  if (result.resultType !== undefined && result.resultType !== "complete") return 0;
  const meta = result._meta as Params | undefined;
  if (rule.shared && (result.cacheScope === "private" || meta?.cacheScope === "private")) return 0;
  const own = result.ttlMs;
  return typeof own === "number" && Number.isFinite(own) ? Math.min(rule.ttlMs, Math.max(0, Math.floor(own))) : rule.ttlMs;
}
