import { describe, expect, it } from "vitest";
import { compileLogic } from "../../../src/policy/json-logic.js";
import { truthy } from "../../../src/policy/operators.js";
import { compilePolicies } from "../../../src/policy/policy-engine.js";
import { compileListTime, isUnknown, truthiness, UNKNOWN, UNKNOWN_FALSY, UNKNOWN_TRUTHY } from "../../../src/policy/three-valued.js";
import type { PolicyRuleSpec } from "../../../src/policy/types.js";
import { ruleReads } from "../../../src/policy/vars-read.js";
import { listData } from "./policy-data.js";
import { outcome, RuleFuzzer, sameValue } from "./rule-fuzzer.js";

const atList = (rule: unknown, data: unknown = listData()) => compileListTime(rule)(data);
const isAdmin = { in: ["admin", { var: "identity.roles" }] };
const smallLimit = { "<": [{ var: "request.arguments.limit" }, 100] };

/** One rule on top of a default; is the item (a tool) listed for the caller? */
function listed(rule: Omit<PolicyRuleSpec, "name">, roles: string[] = ["analyst"], fallback: "allow" | "deny" = "deny"): boolean {
  return compilePolicies({ default: fallback, rules: [{ name: "r", ...rule }] }).visible(listData({ roles }));
}

describe("list-time visibility (three-valued)", () => {
  it("an allow on admin AND an argument test hides the item from non-admins, lists it for admins", () => {
    const rule = { effect: "allow", when: { and: [isAdmin, smallLimit] } } as const;
    expect(listed(rule, ["analyst"])).toBe(false);
    expect(listed(rule, ["admin"])).toBe(true);
  });

  it("an allow with only an argument test lists the item (the call decides)", () => {
    expect(listed({ effect: "allow", when: smallLimit })).toBe(true);
  });

  it("a deny on an argument value does not hide the item", () => {
    expect(listed({ effect: "deny", when: { "==": [{ var: "request.arguments.mode" }, "delete"] } }, ["analyst"], "allow")).toBe(true);
  });

  it("a deny on time.hour does not hide the item", () => {
    expect(listed({ effect: "deny", when: { ">=": [{ var: "time.hour" }, 18] } }, ["analyst"], "allow")).toBe(true);
  });

  it("a deny on session labels does not hide the item", () => {
    expect(listed({ effect: "deny", when: { in: ["pii", { var: "session.labelsSeen" }] } }, ["analyst"], "allow")).toBe(true);
  });

  it("a deny that is definitely true hides the item, even with an unknown part in an or", () => {
    expect(listed({ effect: "deny", when: { or: [{ var: "time.hour" }, { "!": isAdmin }] } }, ["analyst"], "allow")).toBe(false);
    expect(listed({ effect: "deny", when: { or: [{ var: "time.hour" }, { "!": isAdmin }] } }, ["admin"], "allow")).toBe(true);
  });

  it("a deny without when hides; an allow without when lists", () => {
    expect(listed({ effect: "deny" }, ["analyst"], "allow")).toBe(false);
    expect(listed({ effect: "allow" })).toBe(true);
  });

  it("with default deny and no applying allow, nothing is listed; with default allow, it is", () => {
    expect(compilePolicies({ default: "deny", rules: [] }).visible(listData())).toBe(false);
    expect(compilePolicies({ default: "allow", rules: [] }).visible(listData())).toBe(true);
  });

  it("ignores rules that are for calls only, and rules whose match does not hold", () => {
    expect(listed({ effect: "deny", actions: ["call"] }, ["analyst"], "allow")).toBe(true);
    expect(listed({ effect: "deny", match: { backends: ["other"] } }, ["analyst"], "allow")).toBe(true);
    expect(listed({ effect: "allow", actions: ["list"], when: isAdmin }, ["admin"])).toBe(true);
  });
});

describe("three-valued operators", () => {
  it("a var under an unknown root is unknown, and ! keeps it unknown", () => {
    expect(atList({ var: "request.arguments.x" })).toBe(UNKNOWN);
    expect(atList({ "!": { var: "request.arguments.x" } })).toBe(UNKNOWN);
    expect(atList({ "!!": [{ var: "time.hour" }] })).toBe(UNKNOWN);
    expect(atList({ var: "request" })).toBe(UNKNOWN);
    expect(atList({ var: "" })).toBe(UNKNOWN);
    expect(atList({ var: "session" })).toBe(UNKNOWN);
  });

  it("a var into known data is the value itself", () => {
    expect(atList({ var: "identity.sub" })).toBe("alice");
    expect(atList({ var: "request.method" })).toBe("tools/call");
    expect(atList({ var: ["identity.claims.none", { var: "time.hour" }] })).toBe(UNKNOWN);
    expect(atList({ var: ["identity.sub", { var: "time.hour" }] })).toBe("alice");
  });

  it("and: false on any definite falsy, true only when all are definitely truthy", () => {
    expect(atList({ and: [{ var: "time.hour" }, false] })).toBe(UNKNOWN_FALSY);
    expect(atList({ and: [false, { var: "time.hour" }] })).toBe(false);
    expect(atList({ and: [true, { var: "time.hour" }] })).toBe(UNKNOWN);
    expect(atList({ and: [true, "yes"] })).toBe("yes");
  });

  it("or: true on any definite truthy, false only when all are definitely falsy", () => {
    expect(atList({ or: [{ var: "time.hour" }, "x"] })).toBe(UNKNOWN_TRUTHY);
    expect(atList({ or: ["x", { var: "time.hour" }] })).toBe("x");
    expect(atList({ or: [0, { var: "time.hour" }] })).toBe(UNKNOWN);
    expect(atList({ "!": { or: [{ var: "time.hour" }, "x"] } })).toBe(false);
  });

  it("if on an unknown condition is known only when every reachable branch agrees", () => {
    expect(atList({ if: [{ var: "time.hour" }, "a", "a"] })).toBe("a");
    expect(atList({ if: [{ var: "time.hour" }, "a", "b"] })).toBe(UNKNOWN_TRUTHY);
    expect(atList({ if: [{ var: "time.hour" }, "a", 0] })).toBe(UNKNOWN);
    expect(atList({ if: [{ var: "time.hour" }, 0, ""] })).toBe(UNKNOWN_FALSY);
    // The known true condition cuts the chain: the later branch is unreachable.
    expect(atList({ "?:": [{ var: "time.hour" }, 1, true, 2, 0] })).toBe(UNKNOWN_TRUTHY);
    expect(atList({ if: [false, { var: "time.hour" }, "known"] })).toBe("known");
  });

  it("comparisons, arithmetic, in, cat, missing with an unknown operand are unknown", () => {
    expect(atList({ "==": [{ var: "request.arguments.a" }, 1] })).toBe(UNKNOWN);
    expect(atList({ "+": [1, { var: "time.hour" }] })).toBe(UNKNOWN);
    expect(atList({ in: ["x", { var: "session.labelsSeen" }] })).toBe(UNKNOWN);
    expect(atList({ cat: ["a", { var: "time.iso" }] })).toBe(UNKNOWN);
    expect(atList({ missing: ["request.arguments.a"] })).toBe(UNKNOWN);
    expect(atList({ missing_some: [1, ["identity.sub", "time.hour"]] })).toBe(UNKNOWN);
    expect(atList({ missing: ["identity.sub", "identity.claims.none"] })).toEqual(["identity.claims.none"]);
  });

  it("scoped operators over an unknown array are unknown; over a known one they run", () => {
    expect(atList({ some: [{ var: "session.labelsSeen" }, { "==": [{ var: "" }, "pii"] }] })).toBe(UNKNOWN);
    expect(atList({ all: [{ var: "request.arguments.ids" }, true] })).toBe(UNKNOWN);
    expect(atList({ some: [{ var: "identity.roles" }, { "==": [{ var: "" }, "analyst"] }] })).toBe(true);
    expect(atList({ reduce: [[1, 2], { "+": [{ var: "current" }, { var: "accumulator" }] }, { var: "time.hour" }] })).toBe(UNKNOWN);
    expect(atList({ reduce: [[], { var: "current" }, 5] })).toBe(5);
  });

  it("a rule that throws at list time is unknown (the call decision meets it again)", () => {
    expect(atList({ "*": [] })).toBe(UNKNOWN);
  });

  it("compiles errors at compile time, like the call-time form", () => {
    expect(() => compileListTime({ if: [{ var: "time.hour" }, { nope: 1 }] })).toThrow(/unknown operator "nope"/);
  });
});

// Soundness, fuzzed: whatever the list-time form claims must hold for every call that could
// follow. Known value → the call-time value is that value; definitely truthy/falsy → so is the
// call-time value. And a rule that reads no call-time data must be fully known at list time.
const POLICY_PATHS = [
  "identity.sub", "identity.roles", "identity.claims.tier", "identity.claims.n", "identity", "request.method", "request.name",
  "request.arguments.a", "request.arguments.arr", "request.arguments", "request", "time.hour", "time.weekday", "time",
  "session.labelsSeen", "session.id", "target.name", "target.labels", "target.kind", "backend.name", "",
];

function policyData(fuzzer: RuleFuzzer) {
  return {
    identity: { sub: fuzzer.pick(["alice", "bob", ""]), roles: fuzzer.data(1), claims: { tier: fuzzer.data(2), n: fuzzer.data(1) } },
    request: { method: fuzzer.pick(["tools/call", "prompts/get"]), name: fuzzer.data(0) },
    target: { kind: "tool", name: fuzzer.pick(["a__x", "b__y"]), labels: fuzzer.data(1) },
    backend: { name: fuzzer.pick(["a", "b"]) },
  };
}

function completed(list: ReturnType<typeof policyData>, fuzzer: RuleFuzzer) {
  return {
    ...list,
    request: { ...list.request, arguments: { a: fuzzer.data(2), arr: fuzzer.data(2) } },
    time: { hour: fuzzer.data(0), weekday: fuzzer.int(7), iso: "2026" },
    session: { id: fuzzer.data(0), labelsSeen: fuzzer.data(1) },
  };
}

describe("three-valued evaluation is sound (fuzzed against completions of the unknown data)", () => {
  it("never claims what some completion contradicts, and knows what reads no call-time data", () => {
    const fuzzer = new RuleFuzzer(42, POLICY_PATHS);
    const problems: string[] = [];
    let definite = 0, readsCallTime = 0, exactKnown = 0;
    for (let r = 0; r < 3000; r++) {
      const rule = fuzzer.rule(4);
      const reads = ruleReads({ name: "r", effect: "allow", when: rule });
      const callTime = reads.arguments || reads.time || reads.session;
      const list = policyData(fuzzer);
      const claim = compileListTime(rule)(list);
      if (callTime) {
        readsCallTime++;
        if (truthiness(claim) !== undefined) definite++;
      }
      for (let c = 0; c < 4; c++) {
        const data = completed(list, fuzzer);
        const actual = outcome(() => compileLogic(rule)(data));
        if (actual.threw) continue;
        const known = truthiness(claim);
        const wrong = isUnknown(claim) ? known !== undefined && truthy(actual.value) !== known : !sameValue(claim, actual.value);
        if (!callTime && isUnknown(claim)) problems.push(`unknown although it reads no call-time data: ${JSON.stringify(rule)}`);
        if (!callTime && !isUnknown(claim)) exactKnown++;
        if (wrong && problems.length < 5) problems.push(`rule ${JSON.stringify(rule)}\nlist ${JSON.stringify(list)}\ncall ${JSON.stringify(data)}\nclaimed ${String(claim)} got ${JSON.stringify(actual.value)}`);
      }
    }
    expect(problems.slice(0, 5).join("\n\n")).toBe("");
    // The check means something only if many rules read call-time data and many still got a definite answer.
    expect(readsCallTime).toBeGreaterThan(1000);
    expect(definite).toBeGreaterThan(150);
    expect(exactKnown).toBeGreaterThan(1000);
  });
});
