import { describe, expect, it } from "vitest";
import { compileMatch } from "../../../src/policy/match.js";
import { compileGlobs, compileNameGlobs } from "../../../src/policy/name-globs.js";
import { callData } from "./policy-data.js";

describe("name globs", () => {
  it("* matches any run of characters, anchored at both ends", () => {
    const crm = compileGlobs(["crm__*"]);
    expect(crm.test("crm__search")).toBe(true);
    expect(crm.test("crm__")).toBe(true);
    expect(crm.test("xcrm__search")).toBe(false);
    expect(compileGlobs(["*search"]).test("crm__search_all")).toBe(false);
    expect(compileGlobs(["a*b*c"]).test("a__b__c")).toBe(true);
  });

  it("treats everything but * literally: a.b* does not match aXb", () => {
    expect(compileGlobs(["a.b*"]).test("aXb")).toBe(false);
    expect(compileGlobs(["a.b*"]).test("a.bcd")).toBe(true);
    expect(compileGlobs(["file:///docs/(draft)+[1]?{x}|^$\\*"]).test("file:///docs/(draft)+[1]?{x}|^$\\anything")).toBe(true);
    expect(compileGlobs(["a+"]).test("aa")).toBe(false);
  });

  it("matches URI templates as written", () => {
    expect(compileGlobs(["file:///{path}"]).test("file:///{path}")).toBe(true);
    expect(compileGlobs(["file:///*"]).test("file:///etc/passwd")).toBe(true);
  });

  it("tries every pattern of the list, whatever its shape", () => {
    const either = compileGlobs(["a__*", "b__x"]);
    expect(["a__1", "b__x", "b__y"].map((n) => either.test(n))).toEqual([true, true, false]);
    const mixed = compileNameGlobs(["exact", "pre*", "*suf", "*mid*", "a*b*c", "x.y*"]);
    expect(["exact", "prefix", "the_suf", "amidst", "a_b_c", "x.yz", "xXyz", "exactly", "a_c"].map(mixed)).toEqual([true, true, true, true, true, true, false, false, false]);
  });

  it("stays fast on many stars against a long name (no catastrophic backtracking)", () => {
    const started = performance.now();
    expect(compileGlobs(["*a*a*a*a*a*a*a*a*b"]).test("a".repeat(5000))).toBe(false);
    expect(compileGlobs(["*a*a*a*a*a*a*a*a*b"]).test(`${"a".repeat(5000)}b`)).toBe(true);
    expect(performance.now() - started).toBeLessThan(500);
  });

  it("needs the middle parts in order, without overlap", () => {
    const glob = compileGlobs(["*ab*ba*"]);
    expect(glob.test("xabay")).toBe(false);
    expect(glob.test("xab_bay")).toBe(true);
    expect(compileGlobs(["a*a"]).test("a")).toBe(false);
    expect(compileGlobs(["a*a"]).test("aa")).toBe(true);
    expect(compileGlobs(["*1*0"]).test("x1y0")).toBe(true);
    expect(compileGlobs(["x**y"]).test("xy")).toBe(true);
  });

  it("agrees with a plain backtracking matcher on many random globs and names", () => {
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const alphabet = ["a", "b", "*", "*", ".", "1"];
    const word = (n: number, chars: string[]) => Array.from({ length: Math.floor(next() * n) }, () => chars[Math.floor(next() * chars.length)]).join("");
    const naive = (glob: string, name: string): boolean => {
      if (glob === "") return name === "";
      if (glob[0] === "*") return [...Array(name.length + 1).keys()].some((i) => naive(glob.slice(1), name.slice(i)));
      return name[0] === glob[0] && naive(glob.slice(1), name.slice(1));
    };
    const wrong: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const glob = word(8, alphabet), name = word(9, ["a", "b", "a", "b", ".", "1", "X"]);
      const expected = naive(glob, name);
      if (compileGlobs([glob]).test(name) !== expected) wrong.push(`RegExp: ${glob} ~ ${name}`);
      if (compileNameGlobs([glob])(name) !== expected) wrong.push(`name test: ${glob} ~ ${name}`);
    }
    expect(wrong).toEqual([]);
  });
});

describe("match", () => {
  it("holds when every given criterion holds", () => {
    const match = compileMatch({ backends: ["crm"], kinds: ["tool"], names: ["crm__*"], methods: ["tools/call"] });
    expect(match(callData())).toBe(true);
    expect(match(callData({ backend: "billing" }))).toBe(false);
    expect(match(callData({ kind: "prompt" }))).toBe(false);
    expect(match(callData({ name: "crm2__search" }))).toBe(false);
    expect(match(callData({ method: "prompts/get" }))).toBe(false);
  });

  it("matches everything when a criterion is omitted, nothing when its list is empty", () => {
    expect(compileMatch(undefined)(callData())).toBe(true);
    expect(compileMatch({})(callData({ kind: "task" }))).toBe(true);
    expect(compileMatch({ names: [] })(callData())).toBe(false);
    expect(compileMatch({ backends: [] })(callData())).toBe(false);
  });

  it("never matches a task target with a kinds list", () => {
    expect(compileMatch({ kinds: ["tool", "prompt", "resource", "resourceTemplate"] })(callData({ kind: "task" }))).toBe(false);
    expect(compileMatch({ backends: ["crm"] })(callData({ kind: "task" }))).toBe(true);
  });
});
