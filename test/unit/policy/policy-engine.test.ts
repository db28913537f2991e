import { describe, expect, it } from "vitest";
import { compilePolicies } from "../../../src/policy/index.js";
import type { PolicyRuleSpec, PolicySpec } from "../../../src/policy/types.js";
import { callData } from "./policy-data.js";

const isAdmin = { in: ["admin", { var: "identity.roles" }] };
const rule = (name: string, effect: "allow" | "deny", extra: Partial<PolicyRuleSpec> = {}): PolicyRuleSpec => ({ name, effect, ...extra });
const engine = (rules: PolicyRuleSpec[], fallback: PolicySpec["default"] = "deny") => compilePolicies({ default: fallback, rules });

describe("decide: which rule decides a call", () => {
  it("any applying deny wins over any applying allow, whatever the order", () => {
    const policy = engine([rule("admins", "allow", { when: isAdmin }), rule("no-deletes", "deny", { match: { names: ["*__delete*"] } })]);
    expect(policy.decide(callData({ roles: ["admin"], name: "crm__delete_contact" }))).toEqual({ allowed: false, rule: "no-deletes" });
    expect(policy.decide(callData({ roles: ["admin"], name: "crm__search" }))).toEqual({ allowed: true, rule: "admins" });
  });

  it("names the first applying deny, in config order", () => {
    const policy = engine([rule("allow-all", "allow"), rule("deny-a", "deny", { when: true }), rule("deny-b", "deny")]);
    expect(policy.decide(callData()).rule).toBe("deny-a");
  });

  it("names the first applying allow when no deny applies", () => {
    const policy = engine([rule("deny-night", "deny", { when: { ">=": [{ var: "time.hour" }, 22] } }), rule("gold", "allow", { when: { "==": [{ var: "identity.claims.tier" }, "gold"] } }), rule("anyone", "allow")]);
    expect(policy.decide(callData({ hour: 10 }))).toEqual({ allowed: true, rule: "gold" });
    expect(policy.decide(callData({ hour: 10, claims: { tier: "silver" } }))).toEqual({ allowed: true, rule: "anyone" });
    expect(policy.decide(callData({ hour: 23 }))).toEqual({ allowed: false, rule: "deny-night" });
  });

  it("falls back to the default when no rule applies", () => {
    const rules = [rule("admins", "allow", { when: isAdmin })];
    expect(engine(rules, "deny").decide(callData())).toEqual({ allowed: false, rule: "default" });
    expect(engine(rules, "allow").decide(callData())).toEqual({ allowed: true, rule: "default" });
  });

  it("uses json-logic truthiness for when: an empty array does not apply a rule", () => {
    const policy = engine([rule("has-labels", "deny", { when: { var: "session.labelsSeen" } })], "allow");
    expect(policy.decide(callData({ labelsSeen: [] }))).toEqual({ allowed: true, rule: "default" });
    expect(policy.decide(callData({ labelsSeen: ["pii"] }))).toEqual({ allowed: false, rule: "has-labels" });
  });

  it("decides on arguments at call time", () => {
    const policy = engine([rule("small-limit", "allow", { when: { "<=": [{ var: "request.arguments.limit" }, 100] } })]);
    expect(policy.decide(callData({ arguments: { limit: 50 } })).allowed).toBe(true);
    expect(policy.decide(callData({ arguments: { limit: 500 } })).allowed).toBe(false);
  });

  it("ignores list-only rules at call time", () => {
    const policy = engine([rule("hide", "deny", { actions: ["list"] }), rule("ok", "allow", { actions: ["call"] })]);
    expect(policy.decide(callData())).toEqual({ allowed: true, rule: "ok" });
  });

  it("refuses a call when a rule's when throws, naming the rule (fails closed)", () => {
    // json-logic's `in` calls indexOf on its container: an argument shaped to break it must not skip the deny.
    const policy = engine([rule("anyone", "allow"), rule("no-secret-tag", "deny", { when: { in: ["secret", { var: "request.arguments.tags" }] } })]);
    expect(policy.decide(callData({ arguments: { tags: ["public"] } }))).toEqual({ allowed: true, rule: "anyone" });
    expect(policy.decide(callData({ arguments: { tags: { indexOf: 1 } } }))).toEqual({ allowed: false, rule: "no-secret-tag", error: true });
  });

  it("hands out the same decision objects (no allocation per decision)", () => {
    const policy = engine([rule("anyone", "allow")]);
    expect(policy.decide(callData())).toBe(policy.decide(callData({ sub: "bob" })));
  });
});

describe("compilePolicies", () => {
  it("names the rule whose when does not compile", () => {
    expect(() => engine([rule("fine", "allow"), rule("typo", "deny", { when: { "=": [1, 1] } })])).toThrow(/policy rule "typo": JSON-Logic: unknown operator "="/);
  });

  it("lists the claims rules read, once each, sorted, and what else they read", () => {
    const policy = engine([
      rule("a", "allow", { when: { "==": [{ var: "identity.claims.tier" }, "gold"] } }),
      rule("b", "deny", { when: { and: [{ var: "identity.claims.org.id" }, { var: "identity.claims.tier" }, { var: "time.hour" }] } }),
    ]);
    expect(policy.claimsRead).toEqual(["org", "tier"]);
    expect(policy.readsAllClaims).toBe(false);
    expect(policy.reads).toEqual({ arguments: false, time: true, session: false });
  });

  it("says so when a rule may read every claim", () => {
    expect(engine([rule("a", "allow", { when: { var: "identity.claims" } })]).readsAllClaims).toBe(true);
    expect(engine([rule("a", "allow", { when: { var: { cat: ["identity.claims.", "x"] } } })]).readsAllClaims).toBe(true);
  });
});

describe("explain", () => {
  it("shows, per call rule, whether it matched and what its when gave, next to the decision", () => {
    const policy = engine([
      rule("admins", "allow", { when: isAdmin }),
      rule("other-backend", "deny", { match: { backends: ["billing"] } }),
      rule("list-only", "deny", { actions: ["list"] }),
      rule("broken", "deny", { when: { missing_some: [1, { var: "nothing" }] } }),
    ]);
    const { decision, rules } = policy.explain(callData({ roles: ["admin"] }));
    expect(decision).toEqual({ allowed: false, rule: "broken", error: true });
    expect(rules).toEqual([
      { name: "admins", effect: "allow", matched: true, result: true },
      { name: "other-backend", effect: "deny", matched: false },
      { name: "broken", effect: "deny", matched: true, error: expect.stringMatching(/length/) },
    ]);
  });
});
