import jsonLogic from "json-logic-js";
import { describe, expect, it } from "vitest";
import { compileLogic } from "../../../src/policy/json-logic.js";
import { POLICY_OPERATORS } from "../../../src/policy/operators.js";

const run = (rule: unknown, data?: unknown) => compileLogic(rule)(data);

// Hand-picked corners of json-logic-js 2.0.5, each with the value it gives, so a reader sees the
// semantics and a change in either implementation shows up here by name.
const CASES: ReadonlyArray<readonly [string, unknown, unknown, unknown]> = [
  ["var dotted path", { var: "a.b" }, { a: { b: 2 } }, 2],
  ["var numeric index", { var: 1 }, ["x", "y"], "y"],
  ["var index inside a path", { var: "a.1" }, { a: [5, 6] }, 6],
  ["var default when missing", { var: ["a.z", 7] }, { a: {} }, 7],
  ["var missing without default is null", { var: "a.z" }, { a: {} }, null],
  ["var \"\" is the whole data", { var: "" }, { a: 1 }, { a: 1 }],
  ["var null is the whole data", { var: null }, 5, 5],
  ["var [] is the whole data", { var: [] }, "s", "s"],
  ["var on null data", { var: "a" }, null, null],
  ["var on undefined data, with default", { var: ["a", 3] }, undefined, 3],
  ["var through a null", { var: "a.b" }, { a: null }, null],
  ["var finds false and 0", { var: "a" }, { a: 0 }, 0],
  ["var computed name", { var: { cat: ["a", ".b"] } }, { a: { b: "x" } }, "x"],
  ["array of rules is evaluated", [{ var: "a" }, 1], { a: 2 }, [2, 1]],
  ["primitive rule is itself", "text", {}, "text"],
  ["empty array is falsy for !", { "!": [[]] }, {}, true],
  ["!! of a non-empty string", { "!!": ["0"] }, {}, true],
  ["! of a lone operand", { "!": { var: "a" } }, { a: 0 }, true],
  ["and returns the first falsy operand", { and: [1, "", 2] }, {}, ""],
  ["and returns the last operand when all are truthy", { and: [1, "x"] }, {}, "x"],
  ["and of nothing is undefined", { and: [] }, {}, undefined],
  ["or returns the first truthy operand", { or: [0, [], "y", 3] }, {}, "y"],
  ["or returns the last operand when all are falsy", { or: [0, []] }, {}, []],
  ["if chain picks the first truthy condition", { if: [false, 1, [], 2, "x", 3, 4] }, {}, 3],
  ["if without else gives null", { if: [false, 1] }, {}, null],
  ["?: is if", { "?:": [true, "a", "b"] }, {}, "a"],
  ["== is loose", { "==": [1, "1"] }, {}, true],
  ["=== is strict", { "===": [1, "1"] }, {}, false],
  ["!= is loose", { "!=": [null, undefined] }, {}, false],
  ["< between", { "<": [1, 2, 3] }, {}, true],
  ["< between, out of range", { "<": [1, 4, 3] }, {}, false],
  ["<= between inclusive", { "<=": [1, 1, 3] }, {}, true],
  ["> ignores a third operand", { ">": [3, 2, 99] }, {}, true],
  ["+ casts with parseFloat", { "+": ["1", "2.5x"] }, {}, 3.5],
  ["+ of nothing is 0", { "+": [] }, {}, 0],
  ["unary minus", { "-": ["3"] }, {}, -3],
  ["* of one operand is that operand, uncast", { "*": ["3"] }, {}, "3"],
  ["% remainder", { "%": [7, 3] }, {}, 1],
  ["/ division", { "/": [1, 4] }, {}, 0.25],
  ["max of nothing", { max: [] }, {}, -Infinity],
  ["min with a digit string", { min: ["2", 5] }, {}, 2],
  ["merge flattens one level", { merge: [[1, [2]], 3] }, {}, [1, [2], 3]],
  ["in on a string", { in: ["ell", "hello"] }, {}, true],
  ["in on an array", { in: ["b", ["a", "b"]] }, {}, true],
  ["in on a number is false", { in: [1, 10] }, {}, false],
  ["cat skips null", { cat: ["a", null, 1] }, {}, "a1"],
  ["substr negative start", { substr: ["jsonlogic", -5] }, {}, "logic"],
  ["substr negative length", { substr: ["jsonlogic", 1, -3] }, {}, "sonlo"],
  ["missing lists absent and empty keys", { missing: ["a", "b", "c"] }, { a: 1, b: "" }, ["b", "c"]],
  ["missing over an array of keys", { missing: [["a", "b"]] }, { b: 1 }, ["a"]],
  ["missing_some enough present", { missing_some: [1, ["a", "b"]] }, { a: 1 }, []],
  ["missing_some not enough present", { missing_some: [2, ["a", "b", "c"]] }, { a: 1 }, ["b", "c"]],
  ["map reads elements", { map: [{ var: "xs" }, { "*": [{ var: "" }, 2] }] }, { xs: [1, 2] }, [2, 4]],
  ["filter keeps truthy", { filter: [{ var: "xs" }, { var: "on" }] }, { xs: [{ on: 1 }, { on: 0 }] }, [{ on: 1 }]],
  ["reduce with current and accumulator", { reduce: [{ var: "xs" }, { "+": [{ var: "current" }, { var: "accumulator" }] }, 10] }, { xs: [1, 2] }, 13],
  ["reduce without initial starts at null", { reduce: [[1], { var: "accumulator" }] }, {}, null],
  ["all of an empty array is false", { all: [[], true] }, {}, false],
  ["none of an empty array is true", { none: [[], true] }, {}, true],
  ["some over a non-array is false", { some: ["abc", true] }, {}, false],
  ["map over a non-array is []", { map: [{ var: "nope" }, 1] }, {}, []],
  ["a body's var does not see the outer data", { some: [[1], { var: "flag" }] }, { flag: true }, false],
];

describe("compileLogic edge cases", () => {
  it.each(CASES)("%s", (_name, rule, data, expected) => {
    expect(run(rule, data)).toEqual(expected);
    // The expectation is json-logic-js's own answer, not just ours.
    expect(jsonLogic.apply(rule as jsonLogic.RulesLogic, data)).toEqual(expected);
  });

  it("throws where json-logic-js throws: * of nothing, missing_some without options", () => {
    expect(() => run({ "*": [] })).toThrow(TypeError);
    expect(() => jsonLogic.apply({ "*": [] } as unknown as jsonLogic.RulesLogic)).toThrow(TypeError);
    expect(() => run({ missing_some: [1] }, {})).toThrow();
    expect(() => jsonLogic.apply({ missing_some: [1] } as unknown as jsonLogic.RulesLogic, {})).toThrow();
  });

  it("builds a fresh array per element inside a scoped body, as json-logic-js does (identity can be compared)", () => {
    // map's body [5] runs twice; the reduce then compares the two results by identity.
    const rule = {
      reduce: [{ map: [[1, 2], [5]] }, { if: [{ var: "accumulator" }, { "==": [{ var: "accumulator" }, { var: "current" }] }, { var: "current" }] }, null],
    };
    expect(jsonLogic.apply(rule as unknown as jsonLogic.RulesLogic, {})).toBe(false);
    expect(run(rule, {})).toBe(false);
  });

  it("evaluates the same compiled rule independently on each call", () => {
    const rule = compileLogic({ filter: [{ var: "xs" }, { ">": [{ var: "" }, 1] }] });
    expect(rule({ xs: [1, 2, 3] })).toEqual([2, 3]);
    expect(rule({ xs: [0, 5] })).toEqual([5]);
  });

  it("refuses a value from the data that is shaped like an operation, where json-logic-js would run it", () => {
    // json-logic-js reads the key {"var": "name"} as a rule: "name" → "a" → data.a is present → nothing missing.
    const rule = { missing: { var: "keys" } };
    const data = { keys: [{ var: "name" }], name: "a", a: 1 };
    expect(jsonLogic.apply(rule as jsonLogic.RulesLogic, data)).toEqual([]);
    expect(() => run(rule, data)).toThrow(/does not evaluate data as a rule/);
  });
});

describe("compileLogic refuses at compile time", () => {
  it("an unknown operator, naming it and where it is", () => {
    expect(() => compileLogic({ and: [true, { regex: ["a", "b"] }] })).toThrow(/unknown operator "regex" at \$\.and\[1\]/);
  });

  it("json-logic-js's method and log (a policy decides, it does not act)", () => {
    expect(() => compileLogic({ method: ["abc", "toUpperCase"] })).toThrow(/unknown operator "method"/);
    expect(() => compileLogic({ log: "x" })).toThrow(/unknown operator "log"/);
  });

  it("an object with more than one key, or none, where an operation is expected", () => {
    expect(() => compileLogic({ "==": [1, 1], "!=": [1, 2] })).toThrow(/exactly one key, the operator; got 2 \(==, !=\) at \$/);
    expect(() => compileLogic({ or: [{}] })).toThrow(/got 0 \(none\) at \$\.or\[0\]/);
  });

  it("an unknown operator inside a scoped body that never runs", () => {
    expect(() => compileLogic({ some: [[], { nope: 1 }] })).toThrow(/unknown operator "nope" at \$\.some\[1\]/);
  });

  it("offers exactly json-logic-js's operators but method and log", () => {
    const jsonLogicJs = ["var", "missing", "missing_some", "if", "?:", "==", "===", "!=", "!==", "!", "!!", "or", "and", ">", ">=", "<", "<=", "max", "min", "+", "-", "*", "/", "%", "map", "reduce", "filter", "all", "none", "some", "merge", "in", "cat", "substr", "method", "log"];
    expect([...POLICY_OPERATORS].sort()).toEqual(jsonLogicJs.filter((op) => op !== "method" && op !== "log").sort());
  });
});
