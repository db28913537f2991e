import { describe, expect, it } from "vitest";
import { compileFilters, compileGlob, type FilterTarget } from "../../../src/filters/index.js";
import { toolCall } from "./helpers.js";

const readOf = (uri: string, backend = "files"): FilterTarget => ({ method: "resources/read", kind: "resource", name: uri, backend });

describe("choosing the filters for a request", () => {
  it("returns undefined when no filter is configured or none matches", () => {
    expect(compileFilters([]).select(toolCall())).toBeUndefined();
    expect(compileFilters([]).size).toBe(0);
    const filters = compileFilters([{ name: "crm-only", match: { backends: ["crm"] }, redact: [{ pattern: "x" }] }]);
    expect(filters.size).toBe(1);
    expect(filters.select(toolCall("files__read", "files"))).toBeUndefined();
    expect(filters.select(toolCall("files__read", "files"))).toBeUndefined();
  });

  it("returns the same object for the same target, every time", () => {
    const filters = compileFilters([{ name: "all", redact: [{ pattern: "x" }] }]);
    const first = filters.select(toolCall());
    expect(first).toBeDefined();
    expect(filters.select(toolCall())).toBe(first);
    expect(filters.select({ ...toolCall() })).toBe(first);
  });

  it("requires every given criterion and lets an omitted one match anything", () => {
    const filters = compileFilters([{ name: "f", match: { backends: ["crm"], kinds: ["tool"], methods: ["tools/call"], names: ["crm__*"] } }]);
    expect(filters.select(toolCall("crm__lookup", "crm"))?.names).toEqual(["f"]);
    expect(filters.select(toolCall("crm__lookup", "other"))).toBeUndefined();
    expect(filters.select(toolCall("hr__lookup", "crm"))).toBeUndefined();
    expect(filters.select({ method: "prompts/get", kind: "prompt", name: "crm__greet", backend: "crm" })).toBeUndefined();
    expect(compileFilters([{ name: "any" }]).select(readOf("file:///x"))?.names).toEqual(["any"]);
  });

  it("combines every applying filter in config order", () => {
    const filters = compileFilters([
      { name: "first", match: { kinds: ["resource"] } },
      { name: "tools", match: { kinds: ["tool"] } },
      { name: "env-files", match: { names: ["file:///*.env"] } },
    ]);
    expect(filters.select(readOf("file:///app.env"))?.names).toEqual(["first", "env-files"]);
    expect(filters.select(readOf("file:///app.txt"))?.names).toEqual(["first"]);
    expect(filters.select(toolCall())?.names).toEqual(["tools"]);
  });

  it("still answers with the same object after remembering many distinct targets", () => {
    const filters = compileFilters([{ name: "files", match: { backends: ["files"] } }]);
    const first = filters.select(readOf("file:///0"));
    for (let i = 1; i <= 12_000; i++) filters.select(readOf(`file:///${i}`));
    expect(filters.select(readOf("file:///0"))).toBe(first);
    expect(filters.select(readOf("file:///12000"))).toBe(first);
  });
});

describe("name globs", () => {
  it("takes * as any run of characters and anchors at both ends", () => {
    const glob = compileGlob("crm__*");
    expect(glob("crm__lookup")).toBe(true);
    expect(glob("crm__")).toBe(true);
    expect(glob("xcrm__lookup")).toBe(false);
    expect(compileGlob("*secret*")("my_secret_tool")).toBe(true);
    expect(compileGlob("*secret*")("public")).toBe(false);
    expect(compileGlob("a*b*c")("abc")).toBe(true);
    expect(compileGlob("a*b*c")("aXbYbZc")).toBe(true);
    expect(compileGlob("a*b*c")("acb")).toBe(false);
    expect(compileGlob("ab*ba")("aba")).toBe(false);
    expect(compileGlob("*")("")).toBe(true);
    expect(compileGlob("exact")("exact")).toBe(true);
    expect(compileGlob("exact")("exactly")).toBe(false);
  });

  it("treats regular expression characters literally", () => {
    expect(compileGlob("file:///a.env")("file:///a.env")).toBe(true);
    expect(compileGlob("file:///a.env")("file:///aXenv")).toBe(false);
    expect(compileGlob("fs(1)+[x]?")("fs(1)+[x]?")).toBe(true);
    expect(compileGlob("fs(1)+[x]?")("fs1x")).toBe(false);
    expect(compileGlob("^a$|b")("b")).toBe(false);
    expect(compileGlob("c:\\*.txt")("c:\\notes.txt")).toBe(true);
    const filters = compileFilters([{ name: "dot", match: { names: ["crm.lookup"] } }]);
    expect(filters.select(toolCall("crmXlookup"))).toBeUndefined();
    expect(filters.select(toolCall("crm.lookup"))?.names).toEqual(["dot"]);
  });
});
