import { describe, expect, it } from "vitest";
import { compilePolicies, type PolicyData } from "../../../src/policy/index.js";

const data = (roles: string[], name = "crm__search"): PolicyData => ({
  identity: { sub: "u", roles, claims: {} },
  request: { method: "tools/call", name },
  target: { kind: "tool", name, original: name, labels: [] },
  backend: { name: "crm", labels: [] },
  session: { id: "s", binding: "b", labelsSeen: [] },
  time: { iso: "", epochMs: 0, hour: 0, weekday: 0 },
});
const listData = (roles: string[], name = "crm__search") => {
  const { session: _s, time: _t, ...rest } = data(roles, name);
  return rest;
};

describe("shadow rules", () => {
  const engine = compilePolicies({
    default: "deny",
    shadowDefault: "allow",
    rules: [
      { name: "readers", effect: "allow", when: { in: ["reader", { var: "identity.roles" }] } },
      { name: "lockdown", effect: "deny", mode: "shadow", match: { names: ["crm__search"] } },
      { name: "guests-too", effect: "allow", mode: "shadow", when: { in: ["guest", { var: "identity.roles" }] } },
    ],
  });

  it("decide nothing and hide nothing", () => {
    expect(engine.decide(data(["reader"]))).toMatchObject({ allowed: true, rule: "readers" });
    expect(engine.visible(listData(["reader"]))).toBe(true);
    expect(engine.decide(data(["guest"], "crm__get"))).toMatchObject({ allowed: false, rule: "default" });
  });

  it("report what enforcing them would change, and only that", () => {
    expect(engine.shadow(data(["reader"]), engine.decide(data(["reader"])))).toEqual([{ rule: "lockdown", effect: "deny" }]);
    expect(engine.shadow(data(["guest"], "crm__get"), engine.decide(data(["guest"], "crm__get")))).toEqual([{ rule: "guests-too", effect: "allow" }]);
    // Denied anyway: a shadow deny changes nothing.
    expect(engine.shadow(data([]), engine.decide(data([])))).toEqual([]);
    // The default decided and no rule applied: the shadow default would.
    expect(engine.shadow(data([], "crm__get"), engine.decide(data([], "crm__get")))).toEqual([{ rule: "default", effect: "allow" }]);
  });

  it("are marked in explain", () => {
    expect(engine.explain(data(["reader"])).rules.find((r) => r.name === "lockdown")).toEqual({ name: "lockdown", effect: "deny", shadow: true, matched: true, result: true });
    expect(engine.hasShadow).toBe(true);
    expect(compilePolicies({ default: "deny", rules: [] }).hasShadow).toBe(false);
  });
});
