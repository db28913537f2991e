/**
 * Static analysis of what a rule reads from the policy data, so the gateway builds and records
 * only that: the audit line keeps just the claims rules read, and arguments, time and session
 * need not be gathered for a policy that never looks at them.
 */
import { pathTouches } from "./data-paths.js";
import { isOperation, SCOPED_OPERATORS } from "./operators.js";
import type { PolicyRuleSpec } from "./types.js";

/** What a rule reads: literal `var` (and `missing`) paths, and whether some read is computed or whole. */
export interface VarsRead {
  readonly paths: ReadonlySet<string>;
  /** True when a path is computed at run time, or the whole data is read (`var ""`): anything may be read. */
  readonly dynamic: boolean;
}

/** What a rule's `when` reads, in the terms the gateway cares about. */
export interface RuleReads {
  arguments: boolean;
  time: boolean;
  session: boolean;
  /** Claim names X read as identity.claims.X. */
  claims: string[];
  /** True when the rule may read claims not in `claims` (identity or identity.claims whole, or a computed path). */
  allClaims: boolean;
}

/**
 * Every `var` path a rule reads, with `missing`/`missing_some` keys (they read the data too).
 * The per-element parts of scoped operators are left out (they read elements, not the data);
 * their array operand, and reduce's initial value, are read from the data and count.
 */
export function varsRead(rule: unknown): VarsRead {
  const paths = new Set<string>();
  const state = { dynamic: false };
  const literal = (name: unknown): void => {
    if (name === undefined || name === null || name === "") state.dynamic = true;
    else paths.add(String(name));
  };
  const key = (node: unknown): void => {
    if (typeof node === "object" && node !== null) {
      state.dynamic = true;
      walk(node);
    } else literal(node);
  };
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!isOperation(node)) return;
    const operator = Object.keys(node)[0]!;
    const raw = node[operator];
    const operands = Array.isArray(raw) ? raw : [raw];
    if (operator === "var") {
      key(operands[0]);
      operands.slice(1).forEach(walk);
    } else if (operator === "missing") {
      (Array.isArray(operands[0]) ? operands[0] : operands).forEach(key);
      if (Array.isArray(operands[0])) operands.slice(1).forEach(walk);
    } else if (operator === "missing_some") {
      walk(operands[0]);
      const options = operands[1];
      if (Array.isArray(options)) (Array.isArray(options[0]) ? options[0] : options).forEach(key);
      else key(options);
      operands.slice(2).forEach(walk);
    } else if (SCOPED_OPERATORS.has(operator)) {
      walk(operands[0]);
      if (operator === "reduce") walk(operands[2]);
    } else operands.forEach(walk);
  };
  walk(rule);
  return { paths, dynamic: state.dynamic };
}

/** What one rule's `when` reads: request arguments, time, session, and which claims. */
export function ruleReads(rule: PolicyRuleSpec): RuleReads {
  const { paths, dynamic } = varsRead(rule.when);
  const touches = (part: string) => dynamic || [...paths].some((path) => pathTouches(path, part));
  const claims = new Set<string>();
  let allClaims = dynamic;
  for (const path of paths) {
    if (path.startsWith("identity.claims.")) claims.add(path.split(".")[2]!);
    else if (path === "identity" || path === "identity.claims") allClaims = true;
  }
  return { arguments: touches("request.arguments"), time: touches("time"), session: touches("session"), claims: [...claims].sort(), allClaims };
}
