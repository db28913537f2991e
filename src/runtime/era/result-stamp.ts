import type { Result } from "../../core/context.js";
import type { ResolvedConfig } from "../../config/index.js";
import { META } from "../../core/era.js";

/** Results a modern client may cache: they carry `ttlMs` and `cacheScope`. */
const CACHEABLE: ReadonlySet<string> = new Set(["server/discover", "tools/list", "prompts/list", "resources/list", "resources/templates/list", "resources/read"]);

export type CacheScope = "public" | "private";

/**
 * Whether a cacheable result may be shared between callers. It may not (`private`) as soon
 * as anything can make it differ between them: authentication (then there are callers to
 * tell apart), a policy (lists follow decisions), a filter (redaction can depend on the
 * caller), or a custom interceptor (it can do anything).
 */
export function cacheScopeOf(config: ResolvedConfig): CacheScope {
  const perCaller = config.auth.type !== "none" || (config.policies?.rules.length ?? 0) > 0 || config.filters.length > 0 || config.interceptors.length > 0;
  return perCaller ? "private" : "public";
}

/**
 * A result as 2026-07-28 wants it: `resultType` always (a backend's own kept), and on cacheable
 * results `ttlMs` (the one it carries: a read's from its backend, a list's or discover's the
 * least fresh of its backends' promises, see core/freshness; 0 when none) and `cacheScope`
 * (`private` if a backend or the config says so).
 */
export function stampResult(method: string, result: Result, scope: CacheScope, serverInfo: { name: string; version: string }): Result {
  // The client talks to the proxy: its serverInfo is ours on every result (a modern backend's own is replaced).
  const meta = { ...(typeof result._meta === "object" && result._meta !== null ? (result._meta as Record<string, unknown>) : {}), [META.serverInfo]: serverInfo };
  const stamped: Result = { ...result, resultType: typeof result.resultType === "string" ? result.resultType : "complete", _meta: meta };
  if (!CACHEABLE.has(method) || stamped.resultType !== "complete") return stamped;
  const ttl = typeof result.ttlMs === "number" && result.ttlMs >= 0 ? result.ttlMs : 0;
  stamped.ttlMs = ttl;
  stamped.cacheScope = result.cacheScope === "private" ? "private" : scope;
  return stamped;
}
