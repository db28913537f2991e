/**
 * The plain JSON-Logic operations: each takes operands that are already evaluated. The two
 * compilers (two-valued and list-time three-valued) share them, so both keep json-logic-js
 * 2.0.5's exact semantics, quirks included (`*` with no operand throws, `+` casts with parseFloat,
 * `substr` takes a negative length, `in` on anything with an indexOf).
 */
import { isOperation, truthy } from "./operators.js";

/** An operation over up to three operands (json-logic ignores more, after evaluating them). */
export type FixedOperation = (a: unknown, b: unknown, c: unknown, data: unknown) => unknown;
/** An operation over any number of operands. */
export type VariadicOperation = (args: readonly unknown[], data: unknown) => unknown;

// Loose (in)equality and relational operators on unknowns are json-logic's own semantics; the casts
// only tell TypeScript that JavaScript's coercions are wanted here.
type Loose = number;

/** Operators taking at most three operands, by name (the control-flow and scoped ones live in their compilers). */
export const FIXED_OPERATIONS: ReadonlyMap<string, FixedOperation> = new Map<string, FixedOperation>([
  ["==", (a, b) => a == b],
  ["===", (a, b) => a === b],
  ["!=", (a, b) => a != b],
  ["!==", (a, b) => a !== b],
  [">", (a, b) => (a as Loose) > (b as Loose)],
  [">=", (a, b) => (a as Loose) >= (b as Loose)],
  ["<", (a, b, c) => (c === undefined ? (a as Loose) < (b as Loose) : (a as Loose) < (b as Loose) && (b as Loose) < (c as Loose))],
  ["<=", (a, b, c) => (c === undefined ? (a as Loose) <= (b as Loose) : (a as Loose) <= (b as Loose) && (b as Loose) <= (c as Loose))],
  ["!!", (a) => truthy(a)],
  ["!", (a) => !truthy(a)],
  ["%", (a, b) => (a as Loose) % (b as Loose)],
  ["/", (a, b) => (a as Loose) / (b as Loose)],
  ["-", (a, b) => (b === undefined ? -(a as Loose) : (a as Loose) - (b as Loose))],
  ["in", inOperation],
  ["substr", substr],
  ["var", (name, notFound, _c, data) => readVar(data, name, notFound)],
  ["missing_some", (needCount, options, _c, data) => missingSome(needCount, options, data)],
]);

/** Operators taking any number of operands, by name. */
export const VARIADIC_OPERATIONS: ReadonlyMap<string, VariadicOperation> = new Map<string, VariadicOperation>([
  ["cat", (args) => args.join("")],
  ["+", plus],
  ["*", times],
  ["min", (args) => Math.min(...(args as Loose[]))],
  ["max", (args) => Math.max(...(args as Loose[]))],
  ["merge", merge],
  ["missing", (args, data) => missing(args, data)],
]);

function inOperation(a: unknown, b: unknown): boolean {
  if (Array.isArray(b)) return b.indexOf(a) !== -1; // the common case, without the generic lookup below
  // Anything with an indexOf will do, as in json-logic-js: strings search substrings, arrays elements.
  const container = b as { indexOf?: (x: unknown) => number } | null | undefined;
  if (!container || typeof container.indexOf === "undefined") return false;
  return container.indexOf(a) !== -1;
}

function substr(source: unknown, start: unknown, length: unknown): string {
  if ((length as Loose) < 0) {
    // A negative length counts from the end, as PHP does.
    const rest = String(source).substr(start as Loose);
    return rest.substr(0, rest.length + (length as Loose));
  }
  return String(source).substr(start as Loose, length as Loose);
}

function plus(args: readonly unknown[]): number {
  // parseFloat of the running sum too, as json-logic-js does (it turns -0 into 0).
  let sum: unknown = 0;
  for (const arg of args) sum = parseFloat(sum as string) + parseFloat(arg as string);
  return sum as number;
}

function times(args: readonly unknown[]): unknown {
  // A reduce without an initial value: no operand throws, one operand comes back uncast.
  if (args.length === 0) throw new TypeError("Reduce of empty array with no initial value");
  let product: unknown = args[0];
  for (let i = 1; i < args.length; i++) product = parseFloat(product as string) * parseFloat(args[i] as string);
  return product;
}

function merge(args: readonly unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const arg of args) {
    if (Array.isArray(arg)) for (const item of arg) out.push(item);
    else out.push(arg);
  }
  return out;
}

/** json-logic's `var`: a dotted path (or number) into the data; "", null or nothing is the whole data. */
export function readVar(data: unknown, name: unknown, notFound: unknown): unknown {
  if (name === undefined || name === "" || name === null) return data;
  return readPath(data, String(name).split("."), notFound === undefined ? null : notFound);
}

/**
 * A reader for one literal path, split once. Paths of up to three segments (nearly all of a
 * policy's: identity.roles, identity.claims.tier, request.arguments.limit) get an unrolled
 * reader; the rest walk the segments.
 */
export function pathReader(segments: readonly string[], notFound: unknown): (data: unknown) => unknown {
  type Node = Record<string, unknown> | null | undefined;
  const [a, b, c] = segments as [string, string, string];
  const step = (value: unknown, key: string): unknown => (value === null || value === undefined ? undefined : (value as Node)![key]);
  switch (segments.length) {
    case 1:
      return (data) => {
        const v = step(data, a);
        return v === undefined ? notFound : v;
      };
    case 2:
      return (data) => {
        const v = step(step(data, a), b);
        return v === undefined ? notFound : v;
      };
    case 3:
      return (data) => {
        const v = step(step(step(data, a), b), c);
        return v === undefined ? notFound : v;
      };
    default:
      return (data) => readPath(data, segments, notFound);
  }
}

/** Walks precomputed path segments; a null or undefined on the way, or at the end, gives `notFound`. */
export function readPath(data: unknown, segments: readonly string[], notFound: unknown): unknown {
  let value = data;
  for (let i = 0; i < segments.length; i++) {
    if (value === null || value === undefined) return notFound;
    value = (value as Record<string, unknown>)[segments[i]!];
    if (value === undefined) return notFound;
  }
  return value;
}

/** The keys `missing` checks: one array operand is the list of keys, otherwise the operands are. */
export function missingKeys(args: readonly unknown[]): readonly unknown[] {
  return Array.isArray(args[0]) ? args[0] : args;
}

/**
 * How `missing` reads one key. json-logic-js applies `{"var": key}`, so an array key is
 * [name, default], and a key is evaluated once more as a rule. Keys are values here (often
 * from the request), so a key that is itself an operation is refused rather than run: a policy
 * never executes data.
 */
export function missingKeyArguments(key: unknown): readonly unknown[] {
  return Array.isArray(key) ? key.map(dataAsLiteral) : [dataAsLiteral(key)];
}

function missing(args: readonly unknown[], data: unknown): unknown[] {
  const absent: unknown[] = [];
  for (const key of missingKeys(args)) {
    const [name, notFound] = missingKeyArguments(key);
    const value = readVar(data, name, notFound);
    if (value === null || value === "") absent.push(key);
  }
  return absent;
}

/** `missing_some`'s options are evaluated once more too, as the operands of a `missing`. */
export function missingSomeArguments(options: unknown): readonly unknown[] {
  return Array.isArray(options) ? options.map(dataAsLiteral) : [dataAsLiteral(options)];
}

function missingSome(needCount: unknown, options: unknown, data: unknown): unknown[] {
  const absent = missing(missingSomeArguments(options), data);
  // options.length throws for null and undefined options, as in json-logic-js.
  if ((options as { length: number }).length - absent.length >= (needCount as Loose)) return [];
  return absent;
}

function dataAsLiteral(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dataAsLiteral);
  if (isOperation(value)) throw new Error("JSON-Logic: a value from the data has the shape of an operation; a policy does not evaluate data as a rule");
  return value;
}
