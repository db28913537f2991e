/**
 * A rule's `match`, compiled once into one predicate: sets for backends, kinds and methods, a
 * precompiled test for the name globs. Every criterion given must hold; an omitted one matches everything, and an
 * empty list matches nothing.
 */
import { compileNameGlobs } from "./name-globs.js";
import type { ItemKind, MatchSpec } from "./types.js";

/** The parts of the policy data a `match` looks at (both call-time and list-time data have them). */
export interface MatchData {
  readonly request: { readonly method: string };
  readonly target: { readonly kind: ItemKind | "task"; readonly name: string };
  readonly backend: { readonly name: string };
}

/** A compiled `match`: does the rule apply to this request? */
export type Matcher = (data: MatchData) => boolean;

/** Matches everything: a rule without `match`. */
export const MATCH_ALL: Matcher = () => true;

/** Compiles a rule's `match` into one predicate, or MATCH_ALL when it has no criterion. */
export function compileMatch(spec: MatchSpec | undefined): Matcher {
  if (spec === undefined) return MATCH_ALL;
  const checks: Matcher[] = [];
  if (spec.backends !== undefined) {
    const backends = new Set(spec.backends);
    checks.push((data) => backends.has(data.backend.name));
  }
  if (spec.kinds !== undefined) {
    const kinds = new Set<string>(spec.kinds);
    // A task is not an item kind: a rule limited to kinds never applies to a task.
    checks.push((data) => data.target.kind !== "task" && kinds.has(data.target.kind));
  }
  if (spec.methods !== undefined) {
    const methods = new Set(spec.methods);
    checks.push((data) => methods.has(data.request.method));
  }
  // Names last: the other criteria are one Set lookup each, a glob may scan the name.
  if (spec.names !== undefined) {
    const names = compileNameGlobs(spec.names);
    checks.push((data) => names(data.target.name));
  }
  return allOf(checks);
}

/** Only the criteria given are checked: a rule with one criterion costs one test. */
function allOf(checks: readonly Matcher[]): Matcher {
  const [first, second, third] = checks;
  switch (checks.length) {
    case 0:
      return MATCH_ALL;
    case 1:
      return first!;
    case 2:
      return (data) => first!(data) && second!(data);
    case 3:
      return (data) => first!(data) && second!(data) && third!(data);
    default:
      return (data) => checks.every((check) => check(data));
  }
}
