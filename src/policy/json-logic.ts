/**
 * Compiles a JSON-Logic rule into nested closures once, so a decision walks no JSON and looks up
 * no operator by name. The result behaves exactly like json-logic-js 2.0.5's `apply` for the
 * operators in POLICY_OPERATORS (a differential fuzz test holds it to that), except that it
 * refuses at compile time what json-logic-js would only trip over later: an unknown operator, an
 * object that is not exactly one operator, and a value from the data shaped like an operation.
 */
import { childPath, isConstantTree, type Operation, parseOperation, SCOPED_OPERATORS, truthy } from "./operators.js";
import { type Evaluate, SCOPED_OPERATIONS } from "./scoped-operations.js";
import { FIXED_OPERATIONS, type FixedOperation, pathReader, readPath, VARIADIC_OPERATIONS, type VariadicOperation } from "./value-operations.js";

export type { Evaluate } from "./scoped-operations.js";

/**
 * Turns a JSON-Logic rule into a function of the data, with json-logic-js's semantics.
 * Throws (with the node's path, e.g. `$.and[1]`) for an unknown operator or a malformed operation.
 * Array results may be shared and frozen: read them, do not change them.
 */
export function compileLogic(rule: unknown): (data: unknown) => unknown {
  return compileNode(rule, "$", false);
}

/**
 * Compiles one node. `repeated` is true inside a scoped operator's body, which runs once per
 * element: there an array literal must be a fresh array each time, as in json-logic-js, because
 * results of several runs can meet (in reduce's accumulator, or a map's output) and be compared by
 * identity. Elsewhere a node runs at most once per decision, so a literal array is built once.
 */
export function compileNode(node: unknown, at: string, repeated: boolean): Evaluate {
  if (Array.isArray(node)) return compileArray(node, at, repeated);
  const operation = parseOperation(node, at);
  if (operation === undefined) return () => node;
  const { operator, operands } = operation;
  const here = childPath(at, operator);
  if (operator === "if" || operator === "?:") return compileIf(compileAll(operands, here, repeated));
  if (operator === "and") return compileAnd(compileAll(operands, here, repeated));
  if (operator === "or") return compileOr(compileAll(operands, here, repeated));
  if (SCOPED_OPERATORS.has(operator)) return compileScoped(operation, here, repeated);
  if (operator === "var") return compileVar(operands, here, repeated);
  if (operator === "in" && isConstantTree(operands[1])) {
    // The container of `in` is only searched, never handed on, so a literal one can be shared even when repeated.
    return compileFixed(FIXED_OPERATIONS.get("in")!, [operands[0], operands[1]], here, repeated, operands.slice(2), false);
  }
  const fixed = FIXED_OPERATIONS.get(operator);
  if (fixed !== undefined) return compileFixed(fixed, operands.slice(0, 3), here, repeated, operands.slice(3));
  return compileVariadic(VARIADIC_OPERATIONS.get(operator)!, compileAll(operands, here, repeated));
}

function compileAll(operands: readonly unknown[], at: string, repeated: boolean, offset = 0): Evaluate[] {
  return operands.map((operand, i) => compileNode(operand, childPath(at, i + offset), repeated));
}

/** An array literal: json-logic evaluates each element. */
function compileArray(node: readonly unknown[], at: string, repeated: boolean): Evaluate {
  if (isConstantTree(node) && !repeated) {
    const shared = frozenCopy(node);
    return () => shared;
  }
  const elements = compileAll(node, at, repeated);
  return (data) => {
    const out = new Array<unknown>(elements.length);
    for (let i = 0; i < elements.length; i++) out[i] = elements[i]!(data);
    return out;
  };
}

function frozenCopy(node: unknown): unknown {
  return Array.isArray(node) ? Object.freeze(node.map(frozenCopy)) : node;
}

/**
 * Operands beyond those an operator uses are still evaluated by json-logic-js (and may throw);
 * only those that hold an operation can make a difference, so only those are kept.
 */
function compileIgnored(operands: readonly unknown[], at: string, repeated: boolean, offset: number): Evaluate[] {
  return compileAll(operands, at, repeated, offset).filter((_, i) => !isConstantTree(operands[i]));
}

function compileIf(parts: readonly Evaluate[]): Evaluate {
  const hasElse = parts.length % 2 === 1;
  return (data) => {
    let i = 0;
    for (; i < parts.length - 1; i += 2) if (truthy(parts[i]!(data))) return parts[i + 1]!(data);
    return hasElse ? parts[i]!(data) : null;
  };
}

/** Returns the first falsy operand, or the last one (undefined when there is none). */
function compileAnd(parts: readonly Evaluate[]): Evaluate {
  return (data) => {
    let current: unknown;
    for (let i = 0; i < parts.length; i++) {
      current = parts[i]!(data);
      if (!truthy(current)) return current;
    }
    return current;
  };
}

/** Returns the first truthy operand, or the last one (undefined when there is none). */
function compileOr(parts: readonly Evaluate[]): Evaluate {
  return (data) => {
    let current: unknown;
    for (let i = 0; i < parts.length; i++) {
      current = parts[i]!(data);
      if (truthy(current)) return current;
    }
    return current;
  };
}

function compileScoped({ operator, operands }: Operation, at: string, repeated: boolean): Evaluate {
  const run = SCOPED_OPERATIONS.get(operator)!;
  const items = compileNode(operands[0], childPath(at, 0), repeated);
  const body = compileNode(operands[1], childPath(at, 1), true);
  // json-logic-js never evaluates a scoped operator's further operands, but a typo there is still a typo.
  const unused = operator === "reduce" ? 3 : 2;
  compileAll(operands.slice(unused), at, repeated, unused);
  if (operator === "reduce" && operands[2] !== undefined) {
    const initial = compileNode(operands[2], childPath(at, 2), repeated);
    return (data) => {
      const array = items(data);
      return run(array, body, initial(data));
    };
  }
  return (data) => run(items(data), body, null);
}

/** `var` with a literal name splits its path once; a computed name goes through the generic path. */
function compileVar(operands: readonly unknown[], at: string, repeated: boolean): Evaluate {
  const name = operands[0];
  if (typeof name === "object" && name !== null) {
    return compileFixed(FIXED_OPERATIONS.get("var")!, operands.slice(0, 2), at, repeated, operands.slice(2));
  }
  const ignored = compileIgnored(operands.slice(2), at, repeated, 2);
  const defaultNode = operands[1];
  const wholeData = name === undefined || name === "" || name === null;
  const segments = wholeData ? [] : String(name).split(".");
  if (ignored.length === 0 && (typeof defaultNode !== "object" || defaultNode === null)) {
    if (wholeData) return (data) => data;
    const notFound = defaultNode === undefined ? null : defaultNode;
    return pathReader(segments, notFound);
  }
  const fallback = compileNode(defaultNode, childPath(at, 1), repeated);
  return (data) => {
    const notFound = fallback(data);
    for (let i = 0; i < ignored.length; i++) ignored[i]!(data);
    return wholeData ? data : readPath(data, segments, notFound === undefined ? null : notFound);
  };
}

function compileFixed(
  run: FixedOperation,
  used: readonly unknown[],
  at: string,
  repeated: boolean,
  rest: readonly unknown[],
  repeatedContainer = repeated,
): Evaluate {
  const a = compileNode(used[0], childPath(at, 0), repeated);
  const b = compileNode(used[1], childPath(at, 1), repeatedContainer);
  const c = compileNode(used[2], childPath(at, 2), repeated);
  const ignored = compileIgnored(rest, at, repeated, used.length);
  if (ignored.length === 0 && used.length <= 2) {
    // The usual shapes ({"in": ["admin", {"var": …}]}, {"==": [{"var": …}, "gold"]}, {"!": …}):
    // a literal operand is passed as a value, which saves a call per operand on the hot path.
    const x = literalValue(used[0], repeated), y = literalValue(used[1], repeatedContainer);
    if (x !== NOT_LITERAL && y === NOT_LITERAL) return (data) => run(x, b(data), undefined, data);
    if (x === NOT_LITERAL && y !== NOT_LITERAL) return (data) => run(a(data), y, undefined, data);
    return (data) => run(a(data), b(data), undefined, data);
  }
  if (ignored.length === 0) return (data) => run(a(data), b(data), c(data), data);
  return (data) => {
    const x = a(data), y = b(data), z = c(data);
    for (let i = 0; i < ignored.length; i++) ignored[i]!(data);
    return run(x, y, z, data);
  };
}

const NOT_LITERAL = Symbol("not a literal");

/** The value of an operand that needs no evaluation, or NOT_LITERAL. Arrays only where they may be shared. */
function literalValue(node: unknown, repeated: boolean): unknown {
  if (typeof node !== "object" || node === null) return node;
  if (Array.isArray(node) && !repeated && isConstantTree(node)) return frozenCopy(node);
  return NOT_LITERAL;
}

function compileVariadic(run: VariadicOperation, parts: readonly Evaluate[]): Evaluate {
  return (data) => {
    const args = new Array<unknown>(parts.length);
    for (let i = 0; i < parts.length; i++) args[i] = parts[i]!(data);
    return run(args, data);
  };
}
