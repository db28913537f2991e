import { describe, expect, it } from "vitest";
import { ruleReads, varsRead } from "../../../src/policy/vars-read.js";

const paths = (rule: unknown) => [...varsRead(rule).paths].sort();
const reads = (when: unknown) => ruleReads({ name: "r", effect: "allow", when });

describe("varsRead", () => {
  it("collects literal var paths anywhere in the rule, defaults included", () => {
    const rule = { and: [{ in: ["admin", { var: "identity.roles" }] }, { if: [{ var: ["request.arguments.x", { var: "identity.sub" }] }, 1, { var: 0 }] }] };
    expect(paths(rule)).toEqual(["0", "identity.roles", "identity.sub", "request.arguments.x"]);
    expect(varsRead(rule).dynamic).toBe(false);
  });

  it("counts missing and missing_some keys as reads", () => {
    expect(paths({ missing: ["identity.claims.a", "time.hour"] })).toEqual(["identity.claims.a", "time.hour"]);
    expect(paths({ missing: [["session.id"]] })).toEqual(["session.id"]);
    expect(paths({ missing_some: [1, ["request.arguments.a", "request.arguments.b"]] })).toEqual(["request.arguments.a", "request.arguments.b"]);
  });

  it("is dynamic for a computed name or the whole data, and still reads inside the name", () => {
    expect(varsRead({ var: { cat: ["identity.claims.", { var: "request.name" }] } })).toEqual({ paths: new Set(["request.name"]), dynamic: true });
    expect(varsRead({ var: "" }).dynamic).toBe(true);
    expect(varsRead({ var: [] }).dynamic).toBe(true);
    expect(varsRead({ missing: { var: "request.arguments.keys" } }).dynamic).toBe(true);
  });

  it("skips the per-element parts of scoped operators, keeps their array and reduce's initial value", () => {
    const rule = {
      some: [{ var: "session.labelsSeen" }, { "==": [{ var: "" }, "pii"] }],
      // (a second key would be a compile error; varsRead only looks at one rule at a time)
    };
    expect(varsRead(rule)).toEqual({ paths: new Set(["session.labelsSeen"]), dynamic: false });
    expect(paths({ reduce: [{ var: "identity.roles" }, { var: "current.x" }, { var: "time.hour" }] })).toEqual(["identity.roles", "time.hour"]);
  });
});

describe("ruleReads", () => {
  it("finds arguments, time and session, including the request read whole", () => {
    expect(reads({ "==": [{ var: "request.arguments.mode" }, "x"] })).toMatchObject({ arguments: true, time: false, session: false });
    expect(reads({ var: "request" })).toMatchObject({ arguments: true });
    expect(reads({ var: "request.method" })).toMatchObject({ arguments: false });
    expect(reads({ var: "time.hour" })).toMatchObject({ time: true, arguments: false });
    expect(reads({ some: [{ var: "session.labelsSeen" }, true] })).toMatchObject({ session: true });
    expect(reads(undefined)).toEqual({ arguments: false, time: false, session: false, claims: [], allClaims: false });
  });

  it("assumes everything is read when a path is computed", () => {
    expect(reads({ var: { var: "request.name" } })).toMatchObject({ arguments: true, time: true, session: true, allClaims: true });
  });

  it("names the claims read under identity.claims", () => {
    expect(reads({ and: [{ var: "identity.claims.tier" }, { var: "identity.claims.org.id" }, { var: "identity.sub" }] })).toMatchObject({ claims: ["org", "tier"], allClaims: false });
    expect(reads({ var: "identity" })).toMatchObject({ claims: [], allClaims: true });
  });
});
