import { compileGlob } from "../core/glob.js";

/**
 * Name globs: `*` matches any run of characters (newlines included), every other character
 * stands for itself, so `a.b*` does not match `aXb`. Compiled once per rule.
 */

/** A compiled list of globs: does a name match any of them? */
export type NameTest = (name: string) => boolean;

/**
 * Compiles globs into one test. The shapes policies mostly use are answered with plain string
 * operations, which cost a fraction of a RegExp call on the hot path: no star (exact), `p*`
 * (prefix), `*s` (suffix), `*m*` (contains). Any other shape goes through the shared linear matcher.
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
  for (const other of others) tests.push(compileGlob(other));
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
