/**
 * A rule's `match`, compiled once into one predicate: sets for exact names, one anchored RegExp
 * for the name globs. Every criterion given must hold; an omitted one matches everything, and an
 * empty list matches nothing.
 */
import type { ItemKind, MatchSpec } from "./types.js";

/** The parts of the policy data a `match` looks at (both call-time and list-time data have them). */
export interface MatchData {
  readonly request: { readonly method: string };
  readonly target: { readonly kind: ItemKind | "task"; readonly name: string };
  readonly backend: { readonly name: string };
}

export type Matcher = (data: MatchData) => boolean;

/** Matches everything: a rule without `match`. */
export const MATCH_ALL: Matcher = () => true;

/**
 * Compiles `*` globs into one anchored RegExp: `*` is any run of characters (newlines included),
 * every other character stands for itself, so `a.b*` does not match `aXb`.
 *
 * Names come from backends, so matching must stay linear: a plain `.*` per star backtracks
 * polynomially (`*a*a*a*b` against a long run of a's). Each literal between stars is instead
 * found at its first occurrence inside a lookahead and then committed to (a JavaScript lookahead
 * never backtracks into itself); the first occurrence is always the best choice for a middle
 * literal, so this matches exactly what the glob means. Only the last literal is anchored at the end.
 */
export function compileGlobs(patterns: readonly string[]): RegExp {
  if (patterns.length === 0) return /(?!)/;
  let groups = 0;
  const alternatives = patterns.map((pattern) => {
    const literals = pattern.split("*").map(escapeLiteral);
    if (literals.length === 1) return `${literals[0]}$`;
    let source = literals[0]!;
    for (const middle of literals.slice(1, -1)) {
      if (middle === "") continue; // a run of stars means the same as one
      groups++;
      // (?:\N) keeps a following digit of the next literal out of the group number.
      source += `(?=([\\s\\S]*?${middle}))(?:\\${groups})`;
    }
    return `${source}[\\s\\S]*${literals.at(-1)!}$`;
  });
  return new RegExp(`^(?:${alternatives.join("|")})`);
}

function escapeLiteral(literal: string): string {
  return literal.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

/** Compiles a rule's `match` into one predicate, or MATCH_ALL when it has no criterion. */
export function compileMatch(spec: MatchSpec | undefined): Matcher {
  if (spec === undefined) return MATCH_ALL;
  const backends = spec.backends === undefined ? undefined : new Set(spec.backends);
  const kinds = spec.kinds === undefined ? undefined : new Set<string>(spec.kinds);
  const names = spec.names === undefined ? undefined : compileGlobs(spec.names);
  const methods = spec.methods === undefined ? undefined : new Set(spec.methods);
  if (!backends && !kinds && !names && !methods) return MATCH_ALL;
  return (data) =>
    (backends === undefined || backends.has(data.backend.name)) &&
    // A task is not an item kind: a rule limited to kinds never applies to a task.
    (kinds === undefined || (data.target.kind !== "task" && kinds.has(data.target.kind))) &&
    (names === undefined || names.test(data.target.name)) &&
    (methods === undefined || methods.has(data.request.method));
}
