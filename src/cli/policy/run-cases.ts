import type { Surface } from "../../core/surface.js";
import { compileNameGlobs } from "../../policy/index.js";
import { type PolicyCase, VISIBLE_KINDS, type VisibleKind } from "./cases.js";
import { decideOffline } from "./decide-request.js";
import { surfaceItems, visibleItems } from "./visible-items.js";
import type { PolicyWorkspace } from "./workspace.js";

/** The outcome of one case, as `test --format json` prints it. */
export interface CaseResult {
  readonly name: string;
  readonly passed: boolean;
  readonly expected: unknown;
  readonly got: unknown;
  /** Why it failed, in words. */
  readonly message?: string;
}

/** Runs every case; `surface` is needed only by `visible` cases (and gives request cases exact names). */
export function runCases(ws: PolicyWorkspace, cases: readonly PolicyCase[], surface: Surface | undefined): CaseResult[] {
  return cases.map((c) => {
    try {
      return c.request !== undefined ? requestCase(ws, c, surface) : visibleCase(ws, c, surface!);
    } catch (error) {
      return { name: c.name, passed: false, expected: c.expect ?? c.visible, got: null, message: error instanceof Error ? error.message : String(error) };
    }
  });
}

function requestCase(ws: PolicyWorkspace, c: PolicyCase, surface: Surface | undefined): CaseResult {
  const expected = c.expect!;
  const result = decideOffline(ws, c.identity, c.request!, surface);
  const got = { decision: result.decision, ...(result.rule === undefined ? {} : { rule: result.rule }) };
  const passed = got.decision === expected.decision && (expected.rule === undefined || got.rule === expected.rule);
  const show = (d: { decision: string; rule?: string }) => `${d.decision}${d.rule === undefined ? "" : ` by ${d.rule === "default" ? "the default" : `rule "${d.rule}"`}`}`;
  return { name: c.name, passed, expected, got, ...(passed ? {} : { message: `expected ${show(expected)}, got ${show(got)}` }) };
}

function visibleCase(ws: PolicyWorkspace, c: PolicyCase, surface: Surface): CaseResult {
  const visible = visibleItems(ws, surfaceItems(ws, surface), c.identity);
  const problems: string[] = [];
  const got: Partial<Record<VisibleKind, string[]>> = {};
  for (const list of VISIBLE_KINDS) {
    const patterns = c.visible![list];
    if (patterns === undefined) continue;
    const names = visible.filter((it) => it.list === list).map((it) => it.name);
    got[list] = names;
    const unmatched = patterns.filter((p) => !names.some(compileNameGlobs([p])));
    const all = compileNameGlobs(patterns);
    const unexpected = names.filter((n) => !all(n));
    if (unexpected.length) problems.push(`${list} not expected: ${unexpected.join(", ")}`);
    if (unmatched.length) problems.push(`${list} expected but not visible: ${unmatched.join(", ")}`);
  }
  return { name: c.name, passed: problems.length === 0, expected: c.visible, got, ...(problems.length ? { message: problems.join("; ") } : {}) };
}
