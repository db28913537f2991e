import jsonLogic from "json-logic-js";
import { describe, expect, it } from "vitest";
import { compileLogic } from "../../../src/policy/json-logic.js";
import { POLICY_OPERATORS } from "../../../src/policy/operators.js";
import { outcome, RuleFuzzer, sameValue } from "./rule-fuzzer.js";

// compileLogic must agree with json-logic-js 2.0.5 on every rule it accepts: same value (deep,
// -0 and NaN included), or both throw.

const apply = (rule: unknown, data: unknown) => jsonLogic.apply(rule as jsonLogic.RulesLogic, data);

function disagreement(rule: unknown, data: unknown): string | undefined {
  const expected = outcome(() => apply(rule, data));
  const compiled = outcome(() => compileLogic(rule)(data));
  if (expected.threw && compiled.threw) return undefined;
  if (!expected.threw && !compiled.threw && sameValue(expected.value, compiled.value)) return undefined;
  const show = (o: typeof expected) => (o.threw ? `throws ${o.message}` : JSON.stringify(o.value) ?? String(o.value));
  return `rule ${JSON.stringify(rule)}\ndata ${JSON.stringify(data)}\njson-logic-js: ${show(expected)}\ncompiled:      ${show(compiled)}`;
}

describe("compileLogic against json-logic-js (differential fuzz)", () => {
  const SEEDS = [1, 2, 3, 4, 5];
  const RULES_PER_SEED = 1500;
  const DATA_PER_RULE = 3;

  it(`agrees on ${SEEDS.length * RULES_PER_SEED} random rules × ${DATA_PER_RULE} data`, () => {
    const failures: string[] = [];
    const fuzzers: RuleFuzzer[] = [];
    let returned = 0, threw = 0, truthyResults = 0, falsyResults = 0;
    for (const seed of SEEDS) {
      const fuzzer = new RuleFuzzer(seed);
      fuzzers.push(fuzzer);
      for (let r = 0; r < RULES_PER_SEED; r++) {
        const rule = fuzzer.rule();
        for (let d = 0; d < DATA_PER_RULE; d++) {
          const data = fuzzer.rootData();
          const problem = disagreement(rule, data);
          if (problem !== undefined && failures.length < 5) failures.push(`seed ${seed} #${r}\n${problem}`);
          const result = outcome(() => apply(rule, data));
          if (result.threw) threw++;
          else {
            returned++;
            if (jsonLogic.truthy(result.value)) truthyResults++;
            else falsyResults++;
          }
        }
      }
    }
    expect(failures.join("\n\n")).toBe("");

    // The fuzz proves something only if it reached every operator often and mostly produced values.
    const total = new Map<string, number>();
    for (const f of fuzzers) for (const [op, n] of f.counts) total.set(op, (total.get(op) ?? 0) + n);
    const rare = [...POLICY_OPERATORS].filter((op) => (total.get(op) ?? 0) < 150);
    expect(rare).toEqual([]);
    expect(returned).toBeGreaterThan(threw * 3);
    expect(threw).toBeGreaterThan(0);
    expect(truthyResults).toBeGreaterThan(returned / 5);
    expect(falsyResults).toBeGreaterThan(returned / 5);
  });
});
