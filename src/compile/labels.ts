import type { ResolvedConfig } from "../config/index.js";
import { overrideKey } from "../core/surface.js";

/** Labels of backends and single items (through routes), looked up per request. */
export interface LabelTable {
  backend(name: string): readonly string[];
  /** An item's own labels; a resource produced by a template also carries the template's. */
  item(kind: string, backend: string, original: string, template?: string): readonly string[];
}

const NONE: readonly string[] = Object.freeze([]);

export function compileLabels(config: ResolvedConfig): LabelTable {
  const backends = new Map(Object.values(config.backends).map((b) => [b.name, Object.freeze([...b.labels])] as const));
  const items = new Map<string, readonly string[]>();
  for (const route of config.routes) if (route.labels?.length) items.set(overrideKey(route.kind, route.backend, route.name), Object.freeze([...route.labels]));
  return {
    backend: (name) => backends.get(name) ?? NONE,
    item(kind, backend, original, template) {
      const own = items.get(overrideKey(kind, backend, original)) ?? NONE;
      if (template === undefined) return own;
      const inherited = items.get(overrideKey("resourceTemplate", backend, template)) ?? NONE;
      return inherited.length === 0 ? own : own.length === 0 ? inherited : [...new Set([...own, ...inherited])];
    },
  };
}
