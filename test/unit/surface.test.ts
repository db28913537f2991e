import { describe, expect, it } from "vitest";
import { validateConfig } from "../../src/config/index.js";
import { type BackendListing, buildSurface, fitName, MAX_TOOL_NAME, ownerOfUri } from "../../src/core/surface.js";
import { planNaming } from "../../src/compile/naming-plan.js";

function plan(extra: Record<string, unknown> = {}, backends: Record<string, unknown> = {}) {
  const { config, issues } = validateConfig(
    { version: 1, backends: { a: { transport: "stdio", command: "a" }, b: { transport: "stdio", command: "b" }, ...backends }, ...extra },
    { configDir: "/", env: {} },
  );
  if (!config) throw new Error(JSON.stringify(issues));
  return planNaming(config);
}

const listing = (backend: string, tools: string[], extra: Partial<BackendListing> = {}): BackendListing => ({
  backend,
  namespace: backend,
  tools: tools.map((name) => ({ name, description: `${backend}'s ${name}`, inputSchema: { type: "object" } })),
  prompts: [],
  resources: [],
  resourceTemplates: [],
  ...extra,
});

describe("merged surface", () => {
  it("prefixes every name by default, so adding a backend never renames a tool", () => {
    const surface = buildSurface([listing("a", ["search", "x"]), listing("b", ["search"])], plan());
    expect(surface.tools.map((t) => t.name)).toEqual(["a__search", "a__x", "b__search"]);
    expect(surface.toolRoutes.get("b__search")).toEqual({ backend: "b", original: "search" });
  });

  it("prefixes only colliding names with on-conflict, and uses the configured separator", () => {
    const surface = buildSurface([listing("a", ["search", "x"]), listing("b", ["search", "y"])], plan({ naming: { prefix: "on-conflict", separator: "." } }));
    expect(surface.tools.map((t) => t.name)).toEqual(["a.search", "x", "b.search", "y"]);
  });

  it("with never, keeps the first backend's item on a collision (config order)", () => {
    const surface = buildSurface([listing("a", ["search"]), listing("b", ["search"])], plan({ naming: { prefix: "never" } }));
    expect(surface.tools.map((t) => t.name)).toEqual(["search"]);
    expect(surface.toolRoutes.get("search")?.backend).toBe("a");
  });

  it("applies renames, hides and description overrides matched on backend and original name", () => {
    const surface = buildSurface(
      [listing("a", ["search", "drop"]), listing("b", ["search"])],
      plan({
        routes: [
          { backend: "a", kind: "tool", name: "search", rename: "find", description: "Find things." },
          { backend: "a", kind: "tool", name: "drop", hide: true },
        ],
      }),
    );
    expect(surface.tools.map((t) => [t.name, t.description])).toEqual([
      ["find", "Find things."],
      ["b__search", "b's search"],
    ]);
    expect(surface.toolRoutes.has("a__drop")).toBe(false);
  });

  it("honours include and exclude wildcards on original names", () => {
    const p = plan({}, { a: { transport: "stdio", command: "a", include: ["read_*", "list"], exclude: ["read_secret"] } });
    const surface = buildSurface([listing("a", ["read_file", "read_secret", "list", "write_file"])], p);
    expect(surface.tools.map((t) => t.name)).toEqual(["a__read_file", "a__list"]);
  });

  it("keeps prefixed names within 64 characters, stably and distinctly", () => {
    const long = "x".repeat(70);
    const surface = buildSurface([listing("a", [long, `${long}y`])], plan());
    const [first, second] = surface.tools.map((t) => String(t.name));
    expect(first!.length).toBe(MAX_TOOL_NAME);
    expect(second!.length).toBe(MAX_TOOL_NAME);
    expect(first).not.toBe(second);
    expect(fitName(`a__${long}`)).toBe(first);
    expect(surface.toolRoutes.get(first!)).toEqual({ backend: "a", original: long });
  });

  it("routes resources by exact URI first, then by template, first owner winning", () => {
    const surface = buildSurface(
      [
        listing("a", [], { resources: [{ uri: "file:///a.txt", name: "a" }], resourceTemplates: [{ uriTemplate: "notes://{id}", name: "n" }] }),
        listing("b", [], { resources: [{ uri: "file:///a.txt", name: "dup" }, { uri: "notes://special", name: "s" }] }),
      ],
      plan(),
    );
    expect(surface.resources.map((r) => r.name)).toEqual(["a", "s"]);
    expect(ownerOfUri(surface, "file:///a.txt")).toBe("a");
    expect(ownerOfUri(surface, "notes://special")).toBe("b");
    expect(ownerOfUri(surface, "notes://42")).toBe("a");
    expect(ownerOfUri(surface, "other://1")).toBeUndefined();
  });

  it("keeps a hidden resource hidden when a visible template would also produce its URI", () => {
    const p = plan(
      { routes: [{ backend: "a", kind: "resource", name: "file:///srv/hidden.txt", hide: true }] },
      { a: { transport: "stdio", command: "a", exclude: ["file:///srv/secret.env"] } },
    );
    const surface = buildSurface([listing("a", [], { resourceTemplates: [{ uriTemplate: "file:///srv/{path}", name: "srv" }] })], p);
    expect(ownerOfUri(surface, "file:///srv/notes.txt")).toBe("a");
    expect(ownerOfUri(surface, "file:///srv/secret.env")).toBeUndefined();
    expect(ownerOfUri(surface, "file:///srv/hidden.txt")).toBeUndefined();
  });

  it("keeps every field of an item a backend sent", () => {
    const tool = { name: "t", inputSchema: { type: "object" }, outputSchema: { type: "object" }, icons: [{ src: "x" }], _meta: { k: 1 }, annotations: { readOnlyHint: true } };
    const surface = buildSurface([listing("a", [], { tools: [tool] })], plan());
    expect(surface.tools[0]).toEqual({ ...tool, name: "a__t" });
  });
});

describe("what a merged list promises a modern client", () => {
  const fresh = (freshUntil: number, priv = false) => ({ freshUntil, private: priv });

  it("is the least fresh promise of the backends that offer that list, private if any of theirs is", () => {
    const surface = buildSurface(
      [
        listing("a", ["x"], { freshness: { tools: fresh(5_000), resources: fresh(9_000) } }),
        listing("b", ["y"], { freshness: { tools: fresh(3_000, true) } }),
      ],
      plan(),
    );
    expect(surface.freshness.tools).toEqual(fresh(3_000, true));
    // b was not asked for resources (it lacks the capability): a's promise stands alone.
    expect(surface.freshness.resources).toEqual(fresh(9_000));
    expect(surface.freshness.prompts).toEqual(fresh(0));
  });

  it("is nothing when a listing carries no promises (built offline)", () => {
    const surface = buildSurface([listing("a", ["x"], { freshness: { tools: fresh(5_000) } }), listing("b", ["y"])], plan());
    expect(surface.freshness.tools).toEqual(fresh(0));
  });
});
