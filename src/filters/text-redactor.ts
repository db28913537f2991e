import type { RE2JS } from "re2js";
import { compilePattern } from "./pattern.js";
import type { RedactionSpec } from "./types.js";

/** Returns its text with secrets replaced, or the very same string when nothing matched. */
export type TextRedactor = (text: string) => string;

/** What replaces a match when a redaction names no replacement. */
export const DEFAULT_REPLACEMENT = "[REDACTED]";

/**
 * Up to this many UTF-16 units, a text is first asked whether it matches at all: RE2's
 * match-only test is several times faster than a search that tracks positions, and most text
 * holds no secret. Longer texts go straight to the search, whose literal-prefix scan beats the
 * test when a match sits far into the text (measured on re2js 2.10).
 */
const QUICK_TEST_MAX_LENGTH = 1024;

/** Compiles one redaction (throws PatternError on a pattern RE2 cannot run). */
export function compileRedaction(spec: RedactionSpec): TextRedactor {
  return redactorFor(compilePattern(spec.pattern, spec.flags), spec.replacement ?? DEFAULT_REPLACEMENT);
}

/**
 * Every non-empty match is replaced by the literal replacement. Empty matches (a pattern such as
 * `x*`) are skipped: they hide nothing, and replacing them would splice the replacement
 * between every character of every text.
 */
function redactorFor(regex: RE2JS, replacement: string): TextRedactor {
  return (text) => {
    if (text.length === 0) return text;
    if (text.length <= QUICK_TEST_MAX_LENGTH && !regex.test(text)) return text;
    const matcher = regex.matcher(text);
    let redacted = "";
    let copiedUpTo = 0;
    while (matcher.find()) {
      const start = matcher.start();
      const end = matcher.end();
      if (start === end) continue;
      redacted += text.slice(copiedUpTo, start) + replacement;
      copiedUpTo = end;
    }
    return copiedUpTo === 0 ? text : redacted + text.slice(copiedUpTo);
  };
}

/** Several redactors run in order (each sees the text the one before left), or undefined when there are none. */
export function chainRedactors(redactors: readonly TextRedactor[]): TextRedactor | undefined {
  if (redactors.length === 0) return undefined;
  if (redactors.length === 1) return redactors[0];
  return (text) => {
    let current = text;
    for (const redact of redactors) current = redact(current);
    return current;
  };
}
