import type { RE2JS } from "re2js";
import { compilePattern } from "./pattern.js";
import type { RedactionSpec } from "./types.js";

/** Returns its text with secrets replaced, or the very same string when nothing matched. */
export type TextRedactor = (text: string) => string;

/** What replaces a match when a redaction names no replacement. */
export const DEFAULT_REPLACEMENT = "[REDACTED]";

/**
 * re2js has two ways to look at a text, and which is faster depends on the pattern (measured
 * on re2js 2.10, 64 KB of text): its yes/no test runs a DFA (about 1 ms whatever the pattern),
 * while a search that reports positions runs an NFA, which is fast only when the pattern
 * starts with a literal (it jumps from one occurrence of that literal to the next: 0.05 ms)
 * and otherwise steps through every character (10 to 20 ms). So a pattern without a literal
 * prefix is always tested first, and searched only when a text holds a match; a pattern with
 * one is searched straight away, tested first only for short texts, where the test is the
 * cheaper no and allocates nothing (most texts hold no secret).
 */
const QUICK_TEST_MAX_LENGTH = 1024;

/**
 * Whether the search can jump between occurrences of a literal the pattern starts with. Reads
 * the compiled program's literal prefix, which re2js declares but does not document: if a
 * later version drops it, this says no and every text is tested first (slower, never wrong).
 */
function startsWithLiteral(regex: RE2JS): boolean {
  const prefix: unknown = regex.re2().prefix;
  return typeof prefix === "string" && prefix.length > 0;
}

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
  const testLongTexts = !startsWithLiteral(regex);
  return (text) => {
    if (text.length === 0) return text;
    if ((testLongTexts || text.length <= QUICK_TEST_MAX_LENGTH) && !regex.test(text)) return text;
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
