import { compileGlob } from "../core/glob.js";
import type { FilterTarget, MatchSpec } from "./types.js";

/** Whether a filter applies to a request's target. */
export type TargetPredicate = (target: FilterTarget) => boolean;

/** Compiles a filter's `match`: every given criterion must hold; an omitted one matches everything. */
export function compileMatch(spec: MatchSpec | undefined): TargetPredicate {
  if (!spec) return () => true;
  const checks: TargetPredicate[] = [];
  if (spec.backends) checks.push(memberOf(spec.backends, (t) => t.backend));
  if (spec.kinds) checks.push(memberOf(spec.kinds, (t) => t.kind));
  if (spec.methods) checks.push(memberOf(spec.methods, (t) => t.method));
  if (spec.names) {
    const globs = spec.names.map(compileGlob);
    checks.push((target) => globs.some((matches) => matches(target.name)));
  }
  return (target) => checks.every((check) => check(target));
}

function memberOf(values: readonly string[], field: (target: FilterTarget) => string): TargetPredicate {
  const set = new Set(values);
  return (target) => set.has(field(target));
}
