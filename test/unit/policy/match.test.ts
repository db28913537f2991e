import { describe, expect, it } from "vitest";
import { compileMatch } from "../../../src/policy/match.js";
import { compileNameGlobs } from "../../../src/policy/name-globs.js";
import { callData } from "./policy-data.js";

describe("name globs", () => {
  it("* matches any run of characters, anchored at both ends", () => {
    const crm = compileNameGlobs(["crm__*"]);
    expect(crm("crm__search")).toBe(true);
    expect(crm("crm__")).toBe(true);
    expect(crm("xcrm__search")).toBe(false);
    expect(compileNameGlobs(["*search"])("crm__search_all")).toBe(false);
    expect(compileNameGlobs(["a*b*c"])("a__b__c")).toBe(true);
  });

  it("treats everything but * literally: a.b* does not match aXb", () => {
    expect(compileNameGlobs(["a.b*"])("aXb")).toBe(false);
    expect(compileNameGlobs(["a.b*"])("a.bcd")).toBe(true);
    expect(compileNameGlobs(["file:///docs/(draft)+[1]?{x}|^$\\*"])("file:///docs/(draft)+[1]?{x}|^$\\anything")).toBe(true);
    expect(compileNameGlobs(["a+"])("aa")).toBe(false);
  });

  it("matches URI templates as written", () => {
    expect(compileNameGlobs(["file:///{path}"])("file:///{path}")).toBe(true);
    expect(compileNameGlobs(["file:///*"])("file:///etc/passwd")).toBe(true);
  });

  it("tries every pattern of the list, whatever its shape", () => {
    const either = compileNameGlobs(["a__*", "b__x"]);
    expect(["a__1", "b__x", "b__y"].map((n) => either(n))).toEqual([true, true, false]);
    const mixed = compileNameGlobs(["exact", "pre*", "*suf", "*mid*", "a*b*c", "x.y*"]);
    expect(["exact", "prefix", "the_suf", "amidst", "a_b_c", "x.yz", "xXyz", "exactly", "a_c"].map(mixed)).toEqual([true, true, true, true, true, true, false, false, false]);
  });

  it("stays fast on many stars against a long name (no catastrophic backtracking)", () => {
    const started = performance.now();
    expect(compileNameGlobs(["*a*a*a*a*a*a*a*a*b"])("a".repeat(5000))).toBe(false);
    expect(compileNameGlobs(["*a*a*a*a*a*a*a*a*b"])(`${"a".repeat(5000)}b`)).toBe(true);
    expect(performance.now() - started).toBeLessThan(500);
  });

  it("needs the middle parts in order, without overlap", () => {
    const glob = compileNameGlobs(["*ab*ba*"]);
    expect(glob("xabay")).toBe(false);
    expect(glob("xab_bay")).toBe(true);
    expect(compileNameGlobs(["a*a"])("a")).toBe(false);
    expect(compileNameGlobs(["a*a"])("aa")).toBe(true);
    expect(compileNameGlobs(["*1*0"])("x1y0")).toBe(true);
    expect(compileNameGlobs(["x**y"])("xy")).toBe(true);
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
      if (compileNameGlobs([glob])(name) !== expected) wrong.push(`RegExp: ${glob} ~ ${name}`);
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
