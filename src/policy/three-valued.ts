/**
 * List-time evaluation of a rule, three-valued (Kleene). At list time a caller's arguments, the
 * time and the session are not known yet, so a `var` into them gives UNKNOWN and the operators
 * carry that through: `and` is false as soon as one operand is definitely falsy, `or` true as
 * soon as one is definitely truthy, an `if` on an unknown condition is known only when every
 * branch it could take agrees, and any other operator with an unknown operand is unknown.
 * Compiled once per rule, like the call-time form; scoped bodies reuse the call-time compiler,
 * since they only ever see elements of an array that was already known.
 */
import { readsCallTimeData } from "./data-paths.js";
import { compileNode, type Evaluate } from "./json-logic.js";
import { childPath, isConstantTree, parseOperation, SCOPED_OPERATORS, truthy } from "./operators.js";
import { SCOPED_OPERATIONS } from "./scoped-operations.js";
import { FIXED_OPERATIONS, type FixedOperation, missingKeyArguments, missingKeys, missingSomeArguments, readPath, VARIADIC_OPERATIONS } from "./value-operations.js";

/** A value the list decision cannot know. The two others also know the truthiness. */
export const UNKNOWN: unique symbol = Symbol("unknown");
/** Unknown value, but certainly truthy (e.g. `or` of an unknown and `true`). */
export const UNKNOWN_TRUTHY: unique symbol = Symbol("unknown, truthy");
/** Unknown value, but certainly falsy (e.g. `and` of an unknown and `false`). */
export const UNKNOWN_FALSY: unique symbol = Symbol("unknown, falsy");

/** Whether a list-time result is one of the UNKNOWN symbols rather than a value. */
export function isUnknown(value: unknown): boolean {
  return value === UNKNOWN || value === UNKNOWN_TRUTHY || value === UNKNOWN_FALSY;
}

/** json-logic truthiness, or undefined when it cannot be known. */
export function truthiness(value: unknown): boolean | undefined {
  if (value === UNKNOWN) return undefined;
  if (value === UNKNOWN_TRUTHY) return true;
  if (value === UNKNOWN_FALSY) return false;
  return truthy(value);
}

/** Whether a `var` name (a dotted path, or "" / null for the whole data) reads data that is not known. */
export type UnknownPath = (name: unknown) => boolean;

/**
 * Compiles a rule for list time: the result is a known value, or one of the UNKNOWN symbols.
 * A rule that throws at list time counts as UNKNOWN: the call decision will meet it again.
 * `unknownPath` says which data is unknown: by default what only a call knows (arguments,
 * session, time); replaying an audit line also leaves unknown what the line did not record.
 */
export function compileListTime(rule: unknown, unknownPath: UnknownPath = readsCallTimeData): (data: unknown) => unknown {
  const evaluate = compile3(rule, "$", unknownPath);
  return (data) => {
    try {
      return evaluate(data);
    } catch {
      return UNKNOWN;
    }
  };
}

function compile3(node: unknown, at: string, u: UnknownPath): Evaluate {
  if (Array.isArray(node)) {
    if (isConstantTree(node)) return compileNode(node, at, false);
    return anyUnknownOr(node.map((item, i) => compile3(item, childPath(at, i), u)), (values) => values);
  }
  const operation = parseOperation(node, at);
  if (operation === undefined) return () => node;
  const { operator, operands } = operation;
  const here = childPath(at, operator);
  const parts = () => operands.map((operand, i) => compile3(operand, childPath(here, i), u));
  if (operator === "if" || operator === "?:") return compileIf3(parts());
  if (operator === "and") return compileJunction3(parts(), false);
  if (operator === "or") return compileJunction3(parts(), true);
  if (operator === "!" || operator === "!!") {
    const [operand] = parts();
    const negate = operator === "!";
    return (data) => {
      const known = truthiness(operand === undefined ? undefined : operand(data));
      return known === undefined ? UNKNOWN : known !== negate;
    };
  }
  if (SCOPED_OPERATORS.has(operator)) return compileScoped3(operator, operands, here, u);
  if (operator === "var") {
    const literalName = typeof operands[0] !== "object" || operands[0] === null;
    // A known path with a literal default is exactly what the call-time form computes.
    if (literalName && !u(operands[0]) && isConstantTree(operands.slice(1))) return compileNode(node, at, false);
    return compileVar3(operands, here, u);
  }
  // missing and missing_some read the data by the keys they are given: keys into call-time data are unknown.
  if (operator === "missing") return anyUnknownOr(parts(), (args, data) => (missingKeys(args).some((key) => readsUnknownKey(key, u)) ? UNKNOWN : missingOperation(args, data)));
  if (operator === "missing_some") {
    return anyUnknownOr(parts(), (args, data) =>
      missingKeys(missingSomeArguments(args[1])).some((key) => readsUnknownKey(key, u)) ? UNKNOWN : missingSomeOperation(args[0], args[1], undefined, data),
    );
  }
  const fixed = FIXED_OPERATIONS.get(operator);
  if (fixed !== undefined) return compileFixed3(fixed, parts());
  const variadic = VARIADIC_OPERATIONS.get(operator)!;
  return anyUnknownOr(parts(), (args, data) => variadic(args, data));
}

const missingOperation = VARIADIC_OPERATIONS.get("missing")!;
const missingSomeOperation = FIXED_OPERATIONS.get("missing_some")!;

function readsUnknownKey(key: unknown, u: UnknownPath): boolean {
  return u(missingKeyArguments(key)[0]);
}

/** Evaluates every operand (json-logic does, and may throw); any unknown one makes the result unknown. */
function anyUnknownOr(parts: readonly Evaluate[], run: (args: unknown[], data: unknown) => unknown): Evaluate {
  return (data) => {
    const args = new Array<unknown>(parts.length);
    let unknown = false;
    for (let i = 0; i < parts.length; i++) {
      args[i] = parts[i]!(data);
      if (isUnknown(args[i])) unknown = true;
    }
    return unknown ? UNKNOWN : run(args, data);
  };
}

/**
 * A fixed-arity operator without a list per evaluation (this is on the list path for every item).
 * An unknown operand settles the answer, so later operands need not run: what they might throw
 * would give UNKNOWN too.
 */
function compileFixed3(run: FixedOperation, parts: readonly Evaluate[]): Evaluate {
  if (parts.length > 3) return anyUnknownOr(parts, (args, data) => run(args[0], args[1], args[2], data));
  const none: Evaluate = () => undefined;
  const [first = none, second = none, third = none] = parts;
  return (data) => {
    const a = first(data);
    if (isUnknown(a)) return UNKNOWN;
    const b = second(data);
    if (isUnknown(b)) return UNKNOWN;
    const c = third(data);
    return isUnknown(c) ? UNKNOWN : run(a, b, c, data);
  };
}

/**
 * Kleene and (`stopOn` false) and or (`stopOn` true): decided as soon as one operand is
 * definitely falsy (and) or truthy (or); the exact value only when nothing before it was unknown.
 */
function compileJunction3(parts: readonly Evaluate[], stopOn: boolean): Evaluate {
  const unknownStop = stopOn ? UNKNOWN_TRUTHY : UNKNOWN_FALSY;
  return (data) => {
    let current: unknown;
    let uncertain = false;
    for (let i = 0; i < parts.length; i++) {
      current = parts[i]!(data);
      const known = truthiness(current);
      if (known === stopOn) return uncertain ? unknownStop : current;
      if (known === undefined) uncertain = true;
    }
    return uncertain ? UNKNOWN : current;
  };
}

/** Follows every branch an unknown condition could take; the answer is what those branches agree on. */
function compileIf3(parts: readonly Evaluate[]): Evaluate {
  const hasElse = parts.length % 2 === 1;
  return (data) => {
    let reachable: unknown[] | undefined;
    let i = 0;
    for (; i < parts.length - 1; i += 2) {
      const known = truthiness(parts[i]!(data));
      if (known === false) continue;
      const branch = parts[i + 1]!(data);
      if (known === true) return reachable === undefined ? branch : agreement([...reachable, branch]);
      (reachable ??= []).push(branch);
    }
    const last = hasElse ? parts[i]!(data) : null;
    return reachable === undefined ? last : agreement([...reachable, last]);
  };
}

/** What several possible results have in common: the value itself, or at least the truthiness. */
function agreement(outcomes: readonly unknown[]): unknown {
  const first = outcomes[0];
  if (!isUnknown(first) && outcomes.every((o) => Object.is(o, first))) return first;
  const known = truthiness(first);
  if (known !== undefined && outcomes.every((o) => truthiness(o) === known)) return known ? UNKNOWN_TRUTHY : UNKNOWN_FALSY;
  return UNKNOWN;
}

function compileScoped3(operator: string, operands: readonly unknown[], at: string, u: UnknownPath): Evaluate {
  const run = SCOPED_OPERATIONS.get(operator)!;
  const items = compile3(operands[0], childPath(at, 0), u);
  const body = compileNode(operands[1], childPath(at, 1), true);
  operands.slice(2).forEach((operand, i) => compileNode(operand, childPath(at, i + 2), false));
  const initial = operator === "reduce" && operands[2] !== undefined ? compile3(operands[2], childPath(at, 2), u) : () => null;
  return (data) => {
    const array = items(data);
    if (isUnknown(array)) return UNKNOWN;
    const start = initial(data);
    if (!Array.isArray(array) || array.length === 0) return run(array, body, start);
    return isUnknown(start) ? UNKNOWN : run(array, body, start);
  };
}

const NOT_FOUND = Symbol("not found");

/** `var`: a path into call-time data is unknown; a default that is unknown matters only when the path is absent. */
function compileVar3(operands: readonly unknown[], at: string, u: UnknownPath): Evaluate {
  const [name, fallback, ...ignored] = operands.map((operand, i) => compile3(operand, childPath(at, i), u));
  const literalName = typeof operands[0] !== "object" || operands[0] === null;
  if (literalName && u(operands[0])) return () => UNKNOWN;
  const segments = literalName ? String(operands[0]).split(".") : undefined;
  return (data) => {
    const notFound = fallback === undefined ? null : fallback(data);
    for (const part of ignored) part(data);
    let value: unknown;
    if (segments !== undefined) value = readPath(data, segments, NOT_FOUND);
    else {
      const computed = name!(data);
      if (isUnknown(computed) || u(computed)) return UNKNOWN;
      value = readPath(data, String(computed).split("."), NOT_FOUND);
    }
    if (value !== NOT_FOUND) return value;
    return notFound === undefined ? null : notFound;
  };
}
