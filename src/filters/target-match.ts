import type { FilterTarget, MatchSpec } from "./types.js";

/** Whether a filter applies to a request's target. */
export type TargetPredicate = (target: FilterTarget) => boolean;

/**
 * Compiles a name glob once: `*` is any run of characters (empty too), every other character
 * is literal, and the glob covers the whole name. Matched by anchored prefix and suffix and
 * leftmost search for the parts between stars (greedy leftmost is exact for `*`-only globs), so
 * no regular expression is built and no character of a glob can be special by accident.
 */
export function compileGlob(glob: string): (name: string) => boolean {
  const parts = glob.split("*");
  if (parts.length === 1) return (name) => name === glob;
  const prefix = parts[0] ?? "";
  const suffix = parts[parts.length - 1] ?? "";
  const middles = parts.slice(1, -1).filter((part) => part.length > 0);
  return (name) => {
    const end = name.length - suffix.length;
    if (end < prefix.length || !name.startsWith(prefix) || !name.endsWith(suffix)) return false;
    let position = prefix.length;
    for (const middle of middles) {
      const found = name.indexOf(middle, position);
      if (found < 0 || found + middle.length > end) return false;
      position = found + middle.length;
    }
    return true;
  };
}

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
