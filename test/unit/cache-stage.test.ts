import { describe, expect, it } from "vitest";
import { canonicalJson } from "../../src/compile/cache-stage.js";
import { compile } from "../../src/compile/compile.js";
import { validateConfig } from "../../src/config/index.js";

describe("the cache and concurrency stages", () => {
  it("run after the filters and right before forward, and only when configured", () => {
    const base = { version: 1, backends: { a: { transport: "stdio", command: "a" } }, filters: [{ name: "f", stripFields: ["x"] }] };
    const stagesOf = (extra: Record<string, unknown>) => {
      const { config, issues } = validateConfig({ ...base, ...extra }, { configDir: "/", env: {} });
      if (!config) throw new Error(JSON.stringify(issues));
      return compile(config).describe().stages;
    };
    expect(stagesOf({})).toEqual(["authenticate", "resolveTarget", "filter", "forward"]);
    expect(stagesOf({ cache: { rules: [{ name: "all", ttlMs: 1000 }] }, limits: { concurrency: [{ name: "one", maxConcurrent: 1 }] } })).toEqual([
      "authenticate",
      "resolveTarget",
      "filter",
      "cache",
      "concurrency",
      "forward",
    ]);
  });

  it("keys arguments canonically: key order does not matter, values and array order do", () => {
    expect(canonicalJson({ b: 1, a: { d: [2, 1], c: null } })).toBe(canonicalJson({ a: { c: null, d: [2, 1] }, b: 1 }));
    expect(canonicalJson({ a: [1, 2] })).not.toBe(canonicalJson({ a: [2, 1] }));
    expect(canonicalJson({ a: "1" })).not.toBe(canonicalJson({ a: 1 }));
    expect(canonicalJson({ name: "t", _meta: { progressToken: 1 } }, true)).toBe(canonicalJson({ name: "t" }));
  });

  it("refuses a cache rule limited to methods that are never cached, and names used twice", () => {
    const { issues } = validateConfig(
      {
        version: 1,
        backends: { a: { transport: "stdio", command: "a" } },
        cache: { rules: [{ name: "r", match: { methods: ["prompts/get"] }, ttlMs: 10 }, { name: "r", ttlMs: 10 }] },
      },
      { configDir: "/", env: {} },
    );
    expect(issues.map((i) => i.path)).toEqual(expect.arrayContaining(["cache.rules[0].match.methods[0]", "cache.rules[1].name"]));
  });
});
