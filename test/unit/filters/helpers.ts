import { compileFilters, type FilterSpec, type FilterTarget, type ResultFilter } from "../../../src/filters/index.js";

/** A planted secret, and what the tests' redaction pattern turns it into. */
export const SECRET = "sk-abcdefghijklmnopqrstuvwx0123";
export const API_KEY = { pattern: "sk-[A-Za-z0-9]{20,}" };

export const toolCall = (name = "crm__lookup", backend = "crm"): FilterTarget => ({ method: "tools/call", kind: "tool", name, backend });

/** The one filter a spec list yields for a target; fails the test when none applies. */
export function filterFor(specs: readonly FilterSpec[], target: FilterTarget = toolCall()): ResultFilter {
  const filter = compileFilters(specs).select(target);
  if (!filter) throw new Error(`no filter applies to ${JSON.stringify(target)}`);
  return filter;
}

/** A deep copy to compare the input against after a filter ran (it must be unchanged). */
export const snapshot = <T>(value: T): T => structuredClone(value);
