/**
 * Response filters: chosen per request by `match`, they refuse oversized results, strip
 * fields and redact secrets in what clients receive. Patterns run in RE2 (linear time).
 */
export type { CompiledFilters, FilterSpec, FilterTarget, ItemKind, MatchSpec, RedactionSpec, Result, ResultFilter } from "./types.js";
export { compileFilters, FilterConfigError } from "./compile-filters.js";
export { checkPattern, PatternError } from "./pattern.js";
export { DEFAULT_REPLACEMENT } from "./text-redactor.js";
export { compileFieldPath, stripField, type FieldPath } from "./strip-fields.js";
export { compileGlob } from "../core/glob.js";
export { compileMatch, type TargetPredicate } from "./target-match.js";
