import type { ResolvedConfig } from "../config/index.js";

/**
 * Settings this version validates but does not enforce yet. Starting anyway would let an
 * operator believe a gateway is locked down while it is open, so `start` refuses them: the
 * config language runs ahead of the runtime, never the other way round.
 */
export function unenforcedSettings(config: ResolvedConfig): string[] {
  const gaps: string[] = [];
  if (config.auth.type !== "none") gaps.push(`auth (${config.auth.type})`);
  if (config.policies) gaps.push("policies");
  if (config.filters.length > 0) gaps.push("filters");
  if (config.limits.rateLimits.length > 0) gaps.push("limits.rateLimits");
  if (config.limits.store.type !== "memory") gaps.push(`limits.store (${config.limits.store.type})`);
  if (config.audit.sink === "file" || config.audit.includeArguments) gaps.push("audit (file sink, arguments)");
  return gaps;
}
