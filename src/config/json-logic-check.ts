import { POLICY_OPERATORS, SCOPED_OPERATORS } from "../policy/index.js";
import { type ConfigIssue, joinPath } from "./config-issue.js";

/** The roots of the data a policy sees; a `var` outside them is a typo that would silently read nothing. */
export const POLICY_DATA_ROOTS: ReadonlySet<string> = new Set(["identity", "request", "target", "backend", "session", "time"]);


/** Finds unknown operators and `var` paths outside the policy data, anywhere in a rule. */
export function checkJsonLogic(rule: unknown, path: string): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  walk(rule, path, false, issues);
  return issues;
}

function walk(node: unknown, path: string, scoped: boolean, issues: ConfigIssue[]): void {
  if (Array.isArray(node)) {
    node.forEach((item, i) => walk(item, joinPath(path, i), scoped, issues));
    return;
  }
  if (node === null || typeof node !== "object") return;
  const keys = Object.keys(node);
  if (keys.length !== 1) {
    issues.push({ path, message: `a JSON-Logic operation has exactly one key, the operator (got ${keys.length}: ${keys.join(", ") || "none"})` });
    return;
  }
  const operator = keys[0]!;
  const operand = (node as Record<string, unknown>)[operator];
  const operandPath = joinPath(path, operator);
  if (!POLICY_OPERATORS.has(operator)) {
    issues.push({ path: operandPath, message: `unknown JSON-Logic operator "${operator}"` });
    return;
  }
  if (operator === "var" && !scoped) checkVar(operand, operandPath, issues);
  if (SCOPED_OPERATORS.has(operator) && Array.isArray(operand)) {
    walk(operand[0], joinPath(operandPath, 0), scoped, issues);
    operand.slice(1).forEach((item, i) => walk(item, joinPath(operandPath, i + 1), true, issues));
    return;
  }
  walk(operand, operandPath, scoped, issues);
}

function checkVar(operand: unknown, path: string, issues: ConfigIssue[]): void {
  const name = Array.isArray(operand) ? operand[0] : operand;
  if (typeof name !== "string" || name === "") return;
  const root = name.split(".")[0]!;
  if (!POLICY_DATA_ROOTS.has(root)) {
    issues.push({ path, message: `"${name}" is outside the policy data; a var starts with one of: ${[...POLICY_DATA_ROOTS].join(", ")}` });
  }
}
