/**
 * Name globs: `*` matches any run of characters (newlines included), every other character
 * stands for itself, so `a.b*` does not match `aXb`. Compiled once per rule.
 */

/** A compiled list of globs: does a name match any of them? */
export type NameTest = (name: string) => boolean;

/**
 * Compiles `*` globs into one anchored RegExp: `*` is any run of characters (newlines included),
 * every other character stands for itself, so `a.b*` does not match `aXb`.
 *
 * Names come from backends, so matching must stay linear: a plain `.*` per star backtracks
 * polynomially (`*a*a*a*b` against a long run of a's). So each literal between stars that has
 * more to match after it is found at its first occurrence inside a lookahead and then committed
 * to (a JavaScript lookahead never backtracks into itself); the first occurrence is always the
 * best choice for a middle literal, so this matches exactly what the glob means. A trailing star
 * needs no pattern at all (the rest of the name is free), which keeps the common `crm__*` and
 * `*__delete*` shapes to a prefix test and one forward scan.
 */
export function compileGlobs(patterns: readonly string[]): RegExp {
  if (patterns.length === 0) return /(?!)/;
  let groups = 0;
  const alternatives = patterns.map((pattern) => {
    const literals = pattern.split("*").map(escapeLiteral);
    if (literals.length === 1) return `${literals[0]}$`;
    const last = literals.at(-1)!;
    const middles = literals.slice(1, -1).filter((literal) => literal !== ""); // a run of stars means one
    let source = literals[0]!;
    middles.forEach((middle, i) => {
      if (last === "" && i === middles.length - 1) {
        // Nothing follows but a star: the first occurrence ends the match, there is nothing to backtrack into.
        source += `[\\s\\S]*?${middle}`;
        return;
      }
      groups++;
      // (?:\N) keeps a following digit of the next literal out of the group number.
      source += `(?=([\\s\\S]*?${middle}))(?:\\${groups})`;
    });
    return last === "" ? source : `${source}[\\s\\S]*${last}$`;
  });
  return new RegExp(`^(?:${alternatives.join("|")})`);
}

function escapeLiteral(literal: string): string {
  return literal.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

/**
 * Compiles globs into one test. The shapes policies mostly use are answered with plain string
 * operations, which cost a fraction of a RegExp call on the hot path: no star (exact), `p*`
 * (prefix), `*s` (suffix), `*m*` (contains). Any other shape goes through compileGlobs.
 */
export function compileNameGlobs(patterns: readonly string[]): NameTest {
  const exact = new Set<string>();
  const prefixes: string[] = [];
  const suffixes: string[] = [];
  const infixes: string[] = [];
  const others: string[] = [];
  for (const raw of patterns) {
    const pattern = raw.replace(/\*+/g, "*");
    const stars = pattern.split("*").length - 1;
    const inner = pattern.slice(1, -1);
    if (stars === 0) exact.add(pattern);
    else if (stars === 1 && pattern.endsWith("*")) prefixes.push(pattern.slice(0, -1));
    else if (stars === 1 && pattern.startsWith("*")) suffixes.push(pattern.slice(1));
    else if (stars === 2 && pattern.startsWith("*") && pattern.endsWith("*") && !inner.includes("*")) infixes.push(inner);
    else others.push(pattern);
  }
  const tests: NameTest[] = [];
  if (exact.size > 0) tests.push((name) => exact.has(name));
  for (const prefix of prefixes) tests.push((name) => name.startsWith(prefix));
  for (const suffix of suffixes) tests.push((name) => name.endsWith(suffix));
  for (const infix of infixes) tests.push((name) => name.includes(infix));
  if (others.length > 0) {
    const rest = compileGlobs(others);
    tests.push((name) => rest.test(name));
  }
  return anyOf(tests);
}

/** One closure per list, unrolled for the short lists rules have. */
function anyOf(tests: readonly NameTest[]): NameTest {
  const [a, b, c] = tests;
  switch (tests.length) {
    case 0:
      return () => false;
    case 1:
      return a!;
    case 2:
      return (name) => a!(name) || b!(name);
    case 3:
      return (name) => a!(name) || b!(name) || c!(name);
    default:
      return (name) => tests.some((test) => test(name));
  }
}
