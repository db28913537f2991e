import { RE2JS, RE2JSSyntaxException } from "re2js";

/**
 * Redaction patterns run in RE2 (re2js), whose matching time is linear in the text: a pattern
 * a user writes can never make the proxy backtrack for hours over a crafted result. The price
 * is RE2's syntax (https://github.com/google/re2/wiki/Syntax), which for the patterns people
 * write to find secrets is JavaScript's, minus backreferences and lookaround.
 */

/** Why RE2 cannot run a construct that backtracking engines can. */
const LINEAR = "patterns run in a linear-time engine (RE2)";

/** JavaScript flag letter → RE2JS flag bit. `u` is accepted and changes nothing: RE2 always matches by code point. */
const FLAG_BITS: Readonly<Record<string, number>> = {
  i: RE2JS.CASE_INSENSITIVE,
  m: RE2JS.MULTILINE,
  s: RE2JS.DOTALL,
  u: 0,
};

/** A pattern or its flags that cannot be compiled; the message says why in a user's words. */
export class PatternError extends Error {
  override name = "PatternError";
}

/** RE2JS flag bits for a flags string (a subset of "imsu"), or throws PatternError. */
export function re2Flags(flags = ""): number {
  let bits = 0;
  for (const letter of flags) {
    if (letter === "g") throw new PatternError('flag "g" is implied (every match is replaced): leave it out');
    const bit = FLAG_BITS[letter];
    if (bit === undefined) throw new PatternError(`unknown flag "${letter}": flags are a subset of "imsu"`);
    bits |= bit;
  }
  return bits;
}

/** Compiles a pattern once, or throws PatternError with a message fit for a config error. */
export function compilePattern(pattern: string, flags?: string): RE2JS {
  const bits = re2Flags(flags);
  try {
    return RE2JS.compile(pattern, bits);
  } catch (error) {
    if (error instanceof RE2JSSyntaxException) throw new PatternError(explainSyntaxError(pattern, error));
    throw new PatternError(`not a valid pattern: ${(error as Error).message}`);
  }
}

/**
 * For config validation: undefined when the pattern compiles in RE2 with these flags, else a
 * message saying why (e.g. "backreferences are not supported: patterns run in a linear-time
 * engine (RE2)").
 */
export function checkPattern(pattern: string, flags?: string): string | undefined {
  try {
    compilePattern(pattern, flags);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * RE2 stops at the first thing it cannot parse and names it (`error.input`), so the constructs
 * a JavaScript user is most likely to bring along are recognised there, not by scanning the
 * pattern ourselves (which would have to re-implement escapes and character classes).
 */
function explainSyntaxError(pattern: string, error: RE2JSSyntaxException): string {
  const where = error.input ?? "";
  if (/^\\[1-9]/.test(where) || where === "\\k" || (where === "(?P" && pattern.includes("(?P="))) {
    return `backreferences are not supported (${quote(where)}): ${LINEAR}`;
  }
  if (where.startsWith("(?=") || where.startsWith("(?!")) return `lookahead is not supported (${quote(where)}): ${LINEAR}`;
  if (where.startsWith("(?<=") || where.startsWith("(?<!")) return `lookbehind is not supported (${quote(where.slice(0, 4))}): ${LINEAR}`;
  if (where.startsWith("(?>")) return `atomic groups are not supported (${quote(where)}): ${LINEAR}`;
  if (where === "\\u") return "\\uXXXX escapes are not RE2 syntax: write \\x{XXXX} instead";
  return `not a valid RE2 pattern: ${error.error} (${quote(where)})`;
}

const quote = (text: string) => `\`${text}\``;
