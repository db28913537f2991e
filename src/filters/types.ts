/**
 * The shapes of response filters: what a config says (FilterSpec), what a request's result is
 * about (FilterTarget), and what the compiled filters offer the runtime (CompiledFilters,
 * ResultFilter).
 */

import type { ItemKind, MatchSpec } from "../core/match.js";

export type { ItemKind, MatchSpec };

/** One redaction: every non-empty match of `pattern` is replaced. */
export interface RedactionSpec {
  /** An RE2 pattern (linear-time: no backreferences, no lookaround). */
  readonly pattern: string;
  /** A subset of "imsu"; `g` is implied (every match is replaced). */
  readonly flags?: string;
  /** Literal text put in place of each match (`$` has no special meaning); default "[REDACTED]". */
  readonly replacement?: string;
}

/** One response filter as configured. */
export interface FilterSpec {
  readonly name: string;
  readonly match?: MatchSpec;
  readonly redact?: readonly RedactionSpec[];
  /** Dot paths removed from results; see `compileFieldPath` for the rule. */
  readonly stripFields?: readonly string[];
  /** Refuse results whose JSON is longer than this many UTF-8 bytes. */
  readonly maxResultBytes?: number;
}

/** What a request's result is: method plus the resolved target (exposed name or URI, kind, backend). */
export interface FilterTarget {
  readonly method: string;
  readonly kind: ItemKind;
  readonly name: string;
  readonly backend: string;
}

/** A JSON-RPC result object. */
export type Result = Record<string, unknown>;

/** The filters that apply to one target, combined in config order. */
export interface ResultFilter {
  /** The names of the filters combined here, in config order (for audit lines). */
  readonly names: readonly string[];
  /**
   * Applies every selected filter to a result: maxResultBytes first (on the result as
   * received), then stripFields, then redaction. Returns a new object (never mutates the input;
   * untouched subtrees may be shared). Throws ProxyError("RESULT_TOO_LARGE", ..., { filter, bytes, limit }).
   */
  apply(result: Result): Result;
  /** Redacts every string leaf of a value (for call arguments written to the audit log); no strip, no size limit. */
  redactValue(value: unknown): unknown;
}

/** Every configured filter, compiled once. */
export interface CompiledFilters {
  /** The combined filter for a request, or undefined when none applies (the fast path: no allocation). Memoised by target. */
  select(target: FilterTarget): ResultFilter | undefined;
  /** How many filters were configured. */
  readonly size: number;
}
