import { describe, expect, it } from "vitest";
import { compilePartialDecisions, type KnownData, type PolicyData } from "../../../src/policy/index.js";

const data = (args?: Record<string, unknown>, claims: Record<string, unknown> = {}): PolicyData => ({
  identity: { sub: "u", roles: ["reader"], claims },
  request: { method: "tools/call", name: "crm__search", ...(args ? { arguments: args } : {}) },
  target: { kind: "tool", name: "crm__search", original: "search", labels: [] },
  backend: { name: "crm", labels: [] },
  session: { id: "s", binding: "b", labelsSeen: [] },
  time: { iso: "", epochMs: 0, hour: 0, weekday: 0 },
});
const argsUnknown: KnownData = { key: "no-args", unknown: (p) => String(p).startsWith("request.arguments") };
const claimsUnknown: KnownData = { key: "no-claims", unknown: (p) => String(p).startsWith("identity.claims") };
const allKnown: KnownData = { key: "all", unknown: () => false };

describe("partial decisions (replay)", () => {
  const decide = compilePartialDecisions({
    default: "deny",
    rules: [
      { name: "readers", effect: "allow", when: { in: ["reader", { var: "identity.roles" }] } },
      { name: "no-bulk", effect: "deny", when: { ">": [{ var: "request.arguments.limit" }, 1000] } },
      { name: "shadow-lock", effect: "deny", mode: "shadow" },
    ],
  });

  it("decide exactly what is known, and ignore shadow rules", () => {
    expect(decide(data({ limit: 5 }), allKnown)).toEqual({ allowed: true, rule: "readers" });
    expect(decide(data({ limit: 5000 }), allKnown)).toEqual({ allowed: false, rule: "no-bulk" });
  });

  it("are undecided when a deny depends on unrecorded arguments, naming the rule", () => {
    expect(decide(data(), argsUnknown)).toEqual({ allowed: undefined, unknownRules: ["no-bulk"] });
  });

  it("stay decided when the unknown cannot change the outcome", () => {
    const denyFirst = compilePartialDecisions({
      default: "deny",
      rules: [
        { name: "ops-only", effect: "deny", when: { "!=": [{ var: "identity.sub" }, "ops"] } },
        { name: "eu", effect: "allow", when: { "==": [{ var: "identity.claims.region" }, "eu"] } },
      ],
    });
    expect(denyFirst(data(), claimsUnknown)).toMatchObject({ allowed: false, rule: "ops-only" });
  });

  it("say hidden (certainly) when the list decision hides the item", () => {
    const admins = compilePartialDecisions({ default: "deny", rules: [{ name: "admins", effect: "allow", when: { in: ["admin", { var: "identity.roles" }] } }] });
    expect(admins(data(), allKnown)).toEqual({ allowed: false, rule: "default", hidden: true });
  });
});
