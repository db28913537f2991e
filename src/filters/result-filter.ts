import { redactLeaves } from "./redact-deep.js";
import { resultRedactorFor } from "./redact-result.js";
import { checkResultSize, type ResultLimit } from "./result-size.js";
import { stripField, type FieldPath } from "./strip-fields.js";
import { chainRedactors, type TextRedactor } from "./text-redactor.js";
import type { Result, ResultFilter } from "./types.js";

/** One configured filter after compilation, minus its match (selection is done before this). */
export interface CompiledFilter {
  readonly name: string;
  readonly redactors: readonly TextRedactor[];
  readonly stripPaths: readonly FieldPath[];
  readonly maxResultBytes?: number;
}

/**
 * Combines the filters that apply to one method's results, in config order: their strip paths
 * and redactions run one after another, and the smallest maxResultBytes decides (the first
 * such filter in config order is named on a tie).
 */
export function combineFilters(method: string, filters: readonly CompiledFilter[]): ResultFilter {
  const names = filters.map((filter) => filter.name);
  const limit = smallestLimit(filters);
  const stripPaths = filters.flatMap((filter) => filter.stripPaths);
  const redact = chainRedactors(filters.flatMap((filter) => filter.redactors));
  const redactResult = resultRedactorFor(method);
  return {
    names,
    apply(result: Result): Result {
      if (limit) checkResultSize(result, limit);
      let filtered = result;
      for (const path of stripPaths) filtered = stripField(filtered, path) as Result;
      if (redact) filtered = redactResult(filtered, redact);
      // Callers own what they get back (they may add to it), so it is never the input itself.
      return filtered === result ? { ...result } : filtered;
    },
    redactValue(value: unknown): unknown {
      return redact ? redactLeaves(value, redact) : value;
    },
  };
}

function smallestLimit(filters: readonly CompiledFilter[]): ResultLimit | undefined {
  let smallest: ResultLimit | undefined;
  for (const { name, maxResultBytes } of filters) {
    if (maxResultBytes !== undefined && (!smallest || maxResultBytes < smallest.limit)) smallest = { filter: name, limit: maxResultBytes };
  }
  return smallest;
}
