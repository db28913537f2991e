import type { ResolvedConfig } from "../config/index.js";
import { type NamingPlan, overrideKey } from "../core/surface.js";
import { compileWildcards } from "./wildcard.js";

/** Compiles naming, include/exclude and per-item route overrides once per config. */
export function planNaming(config: ResolvedConfig): NamingPlan {
  const visible = new Map<string, (name: string) => boolean>();
  const matchers = new Map<string, { include?: RegExp; exclude?: RegExp }>();
  for (const backend of Object.values(config.backends)) {
    const include = backend.include ? compileWildcards(backend.include) : undefined;
    const exclude = backend.exclude.length ? compileWildcards(backend.exclude) : undefined;
    visible.set(backend.name, (name) => (!include || include.test(name)) && !exclude?.test(name));
    matchers.set(backend.name, { ...(include ? { include } : {}), ...(exclude ? { exclude } : {}) });
  }
  const overrides = new Map<string, { rename?: string; hide?: boolean; description?: string }>();
  for (const route of config.routes) {
    overrides.set(overrideKey(route.kind, route.backend, route.name), { rename: route.rename, hide: route.hide, description: route.description });
  }
  return { prefix: config.naming.prefix, separator: config.naming.separator, visible, matchers, overrides };
}
