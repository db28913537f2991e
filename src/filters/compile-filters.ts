import { PatternError } from "./pattern.js";
import { combineFilters, type CompiledFilter } from "./result-filter.js";
import { compileFieldPath } from "./strip-fields.js";
import { compileMatch, type TargetPredicate } from "./target-match.js";
import { compileRedaction } from "./text-redactor.js";
import type { CompiledFilters, FilterSpec, FilterTarget, ResultFilter } from "./types.js";

/** A filter whose config cannot be compiled; says which filter and which entry. */
export class FilterConfigError extends Error {
  override name = "FilterConfigError";
  constructor(
    message: string,
    /** The filter's position in the config. */
    readonly filterIndex: number,
    /** Where in it, e.g. `redact[1].pattern`. */
    readonly field: string,
  ) {
    super(message);
  }
}

/**
 * How many distinct targets select() remembers before it starts over. Resource URIs come from
 * clients (templated resources take any URI), so an unbounded memo would be theirs to grow.
 * Starting over costs only recomputation: combined filters stay memoised by which filters
 * they combine, so a target gets the same object back after a reset too.
 */
const MAX_REMEMBERED_TARGETS = 10_000;

type Memo<V> = Map<string, V>;

/**
 * Compiles every filter once (throws FilterConfigError naming the filter and entry on a bad
 * pattern or limit). Filters that apply to the same request combine in config order.
 */
export function compileFilters(specs: readonly FilterSpec[]): CompiledFilters {
  const filters = specs.map(compileOne);
  const predicates: readonly TargetPredicate[] = specs.map((spec) => compileMatch(spec.match));
  const combined = new Map<string, ResultFilter>();
  let byTarget: Memo<Memo<Memo<Memo<ResultFilter | null>>>> = new Map();
  let remembered = 0;

  const combine = (target: FilterTarget): ResultFilter | null => {
    const chosen: number[] = [];
    for (let i = 0; i < predicates.length; i++) if (predicates[i]!(target)) chosen.push(i);
    if (chosen.length === 0) return null;
    const key = `${target.method}\n${chosen.join(",")}`;
    let filter = combined.get(key);
    if (!filter) {
      filter = combineFilters(target.method, chosen.map((i) => filters[i]!));
      combined.set(key, filter);
    }
    return filter;
  };

  return {
    size: specs.length,
    select(target: FilterTarget): ResultFilter | undefined {
      if (filters.length === 0) return undefined;
      // Nested maps instead of one joined key: a repeated target is found without allocating.
      const byKind = byTarget.get(target.method) ?? setNew(byTarget, target.method);
      const byBackend = byKind.get(target.kind) ?? setNew(byKind, target.kind);
      const byName = byBackend.get(target.backend) ?? setNew(byBackend, target.backend);
      let found = byName.get(target.name);
      if (found === undefined) {
        found = combine(target);
        if (++remembered > MAX_REMEMBERED_TARGETS) {
          byTarget = new Map();
          remembered = 0;
        } else {
          byName.set(target.name, found);
        }
      }
      return found ?? undefined;
    },
  };
}

function setNew<V>(map: Map<string, Map<string, V>>, key: string): Map<string, V> {
  const created = new Map<string, V>();
  map.set(key, created);
  return created;
}

function compileOne(spec: FilterSpec, index: number): CompiledFilter {
  const fail = (field: string, why: string) => new FilterConfigError(`filter "${spec.name}" (filters[${index}]) ${field}: ${why}`, index, field);
  const redactors = (spec.redact ?? []).map((redaction, j) => {
    try {
      return compileRedaction(redaction);
    } catch (error) {
      if (error instanceof PatternError) throw fail(`redact[${j}].pattern`, error.message);
      throw error;
    }
  });
  const limit = spec.maxResultBytes;
  if (limit !== undefined && !(Number.isSafeInteger(limit) && limit > 0)) throw fail("maxResultBytes", `must be a positive integer, not ${limit}`);
  return {
    name: spec.name,
    redactors,
    stripPaths: (spec.stripFields ?? []).map(compileFieldPath),
    ...(limit === undefined ? {} : { maxResultBytes: limit }),
  };
}
