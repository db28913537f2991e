import type { ResolvedBackend, ResolvedConfig } from "../../config/index.js";
import { backendDigest } from "./config-digest.js";

/**
 * How a reload changes the backends, by name: `kept` ones keep their processes and sessions
 * (same resolved definition, secret values included), `changed` ones start anew while the old
 * links drain, `removed` ones drain and close, `added` ones start. A disabled backend counts
 * as absent.
 */
export interface BackendPlan {
  readonly kept: ReadonlySet<string>;
  readonly changed: ReadonlySet<string>;
  readonly added: ReadonlySet<string>;
  readonly removed: ReadonlySet<string>;
  /** The enabled backends of the new config, in config order. */
  readonly order: readonly ResolvedBackend[];
}

export function planBackends(previous: ResolvedConfig, next: ResolvedConfig): BackendPlan {
  const before = enabled(previous);
  const after = enabled(next);
  const kept = new Set<string>();
  const changed = new Set<string>();
  const added = new Set<string>();
  for (const [name, backend] of after) {
    const old = before.get(name);
    if (!old) added.add(name);
    else if (backendDigest(old) === backendDigest(backend)) kept.add(name);
    else changed.add(name);
  }
  const removed = new Set([...before.keys()].filter((name) => !after.has(name)));
  return { kept, changed, added, removed, order: [...after.values()] };
}

/** Whether a plan touches any backend's links. */
export function restartsAnything(plan: BackendPlan): boolean {
  return plan.changed.size + plan.added.size + plan.removed.size > 0;
}

function enabled(config: ResolvedConfig): Map<string, ResolvedBackend> {
  return new Map(Object.values(config.backends).flatMap((b) => (b.enabled ? [[b.name, b] as const] : [])));
}
