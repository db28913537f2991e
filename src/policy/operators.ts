/**
 * The JSON-Logic vocabulary a policy may use, and the two helpers every evaluator shares:
 * json-logic's truthiness and its test for "this object is an operation".
 */

/**
 * Operators a policy may use. json-logic-js's `method` (calls any method of any value) and
 * `log` (writes to the console) are left out on purpose: a policy decides, it does not act.
 */
export const POLICY_OPERATORS: ReadonlySet<string> = new Set([
  "var", "missing", "missing_some",
  "if", "?:", "==", "===", "!=", "!==", "!", "!!", "or", "and",
  ">", ">=", "<", "<=", "max", "min", "+", "-", "*", "/", "%",
  "map", "reduce", "filter", "all", "none", "some", "merge", "in", "cat", "substr",
]);

/** Operators whose second operand runs once per element, against the element (reduce: {current, accumulator}). */
export const SCOPED_OPERATORS: ReadonlySet<string> = new Set(["map", "reduce", "filter", "all", "none", "some"]);

/** json-logic truthiness: JavaScript's, except that an empty array is falsy. */
export function truthy(value: unknown): boolean {
  if (Array.isArray(value) && value.length === 0) return false;
  return !!value;
}

/** json-logic-js's test: a non-array object with exactly one own key is an operation, anything else a literal. */
export function isOperation(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && Object.keys(value).length === 1;
}

/** One operation taken apart: json-logic lets a single operand stand for a one-element list. */
export interface Operation {
  readonly operator: string;
  readonly operands: readonly unknown[];
}

/**
 * Takes a rule node apart, or returns undefined for a literal (array, string, number, boolean, null).
 * Throws for what json-logic-js would only trip over later, or silently pass as data: an unknown
 * operator, or an object that is not exactly one operator. `at` names the node in messages.
 */
export function parseOperation(node: unknown, at: string): Operation | undefined {
  if (typeof node !== "object" || node === null || Array.isArray(node)) return undefined;
  const keys = Object.keys(node);
  if (keys.length !== 1) {
    throw new Error(`JSON-Logic: an operation has exactly one key, the operator; got ${keys.length} (${keys.join(", ") || "none"}) at ${at}`);
  }
  const operator = keys[0]!;
  if (!POLICY_OPERATORS.has(operator)) {
    throw new Error(`JSON-Logic: unknown operator "${operator}" at ${at} (a policy may use: ${[...POLICY_OPERATORS].join(" ")})`);
  }
  const raw = (node as Record<string, unknown>)[operator];
  return { operator, operands: Array.isArray(raw) ? raw : [raw] };
}

/** Appends one step to a node path in error messages: `$.and[1]`, `$.if[0].var`. */
export function childPath(at: string, step: string | number): string {
  return typeof step === "number" ? `${at}[${step}]` : `${at}.${step}`;
}

/** Whether a node holds no operation anywhere: evaluating it can neither fail nor depend on data. */
export function isConstantTree(node: unknown): boolean {
  if (Array.isArray(node)) return node.every(isConstantTree);
  return typeof node !== "object" || node === null;
}
