import { describe, expect, it } from "vitest";
import { compile } from "../../src/compile/compile.js";
import { validateConfig } from "../../src/config/index.js";
import { Cancellation } from "../../src/core/cancellation.js";
import type { ClientScope, Params, RequestContext, RoutedContext, RoutedMethod } from "../../src/core/context.js";
import { METHODS } from "../../src/core/methods.js";
import { resolveTarget } from "../../src/core/resolve-target.js";
import { type BackendListing, buildSurface } from "../../src/core/surface.js";

// Routing decisions, without processes: what each request resolves to, what reaches the
// backend (names mapped back, task ids split), and the error a client gets otherwise.

const { config } = validateConfig(
  {
    version: 1,
    backends: { a: { transport: "stdio", command: "a" }, b: { transport: "stdio", command: "b" }, c: { transport: "stdio", command: "c" } },
    routes: [{ backend: "a", kind: "resource", name: "a://secret", hide: true }],
  },
  { configDir: "/", env: {} },
);
if (!config) throw new Error("test config is invalid");
const pipeline = compile(config);

const listing = (backend: string, extra: Partial<BackendListing>): BackendListing => ({ backend, namespace: backend, tools: [], prompts: [], resources: [], resourceTemplates: [], ...extra });
const a = listing("a", {
  tools: [{ name: "search" }],
  prompts: [{ name: "greet" }],
  resources: [{ uri: "a://info" }],
  resourceTemplates: [{ uriTemplate: "a://files/{path}" }],
});
const b = listing("b", { tools: [{ name: "search" }] });

/** A client whose backend b is down (its last listing is known) and c was never reached. */
function scope(forwarded: Array<{ backend: string; method: string; params: Params }> = []): ClientScope {
  const live = buildSurface([a], pipeline.plan);
  const known = buildSurface([a, b], pipeline.plan);
  const record = async (ctx: RoutedContext, method: string, params: Params) => (forwarded.push({ backend: ctx.target.backend, method, params }), { task: { taskId: "9" } });
  return {
    sessionId: "s1",
    surface: live,
    knownSurface: known,
    hasListing: (backend) => backend === "a" || backend === "b",
    startOwn: async () => false,
    forward: record,
    subscribe: (ctx) => record(ctx, ctx.method, ctx.params),
    unsubscribe: (ctx) => record(ctx, ctx.method, ctx.params),
    setLogLevel: async () => ({}),
    listTasks: async () => ({ tasks: [] }),
    labelsSeen: new Set(),
    taskOrigins: new Map(),
  };
}

const request = (method: RoutedMethod, params: Params, s = scope()): RequestContext => ({ method, id: 1, params, scope: s, info: { binding: "test", transport: "stdio" }, cancellation: new Cancellation() });

describe("resolveTarget", () => {
  const s = scope();
  it("resolves exposed names to their backend and original name", () => {
    expect(resolveTarget(s, pipeline.backends, { kind: "tool", name: "a__search" })).toEqual({ kind: "tool", exposed: "a__search", backend: "a", original: "search" });
    expect(resolveTarget(s, pipeline.backends, { kind: "prompt", name: "a__greet" })).toEqual({ kind: "prompt", exposed: "a__greet", backend: "a", original: "greet" });
    expect(resolveTarget(s, pipeline.backends, { kind: "completion", refType: "ref/prompt", name: "a__greet" })).toMatchObject({ kind: "prompt", original: "greet" });
  });

  it("resolves resources by exact URI, then by template, but never a hidden URI", () => {
    expect(resolveTarget(s, pipeline.backends, { kind: "resource", name: "a://info" })).toMatchObject({ kind: "resource", backend: "a" });
    expect(resolveTarget(s, pipeline.backends, { kind: "resource", name: "a://files/x.txt" })).toMatchObject({ kind: "resource", backend: "a", original: "a://files/x.txt" });
    expect(resolveTarget(s, pipeline.backends, { kind: "completion", refType: "ref/resource", name: "a://files/{path}" })).toMatchObject({ kind: "resourceTemplate", backend: "a" });
    expect(() => resolveTarget(s, pipeline.backends, { kind: "resource", name: "a://secret" })).toThrow(expect.objectContaining({ code: "UNKNOWN_RESOURCE", message: "Resource not found: a://secret" }));
  });

  it("names the backend of an item whose backend is down, or would own it by namespace", () => {
    expect(() => resolveTarget(s, pipeline.backends, { kind: "tool", name: "b__search" })).toThrow(expect.objectContaining({ code: "BACKEND_UNAVAILABLE", data: { backend: "b" } }));
    expect(() => resolveTarget(s, pipeline.backends, { kind: "tool", name: "c__anything" })).toThrow(expect.objectContaining({ code: "BACKEND_UNAVAILABLE", data: { backend: "c" } }));
  });

  it("answers an unknown item as unknown", () => {
    expect(() => resolveTarget(s, pipeline.backends, { kind: "tool", name: "nope" })).toThrow(expect.objectContaining({ code: "UNKNOWN_TOOL", message: "Unknown tool: nope" }));
    expect(() => resolveTarget(s, pipeline.backends, { kind: "prompt", name: "nope" })).toThrow(expect.objectContaining({ code: "UNKNOWN_PROMPT", message: "Unknown prompt: nope" }));
  });

  it("splits namespaced task ids, and refuses ids of no backend", () => {
    expect(resolveTarget(s, pipeline.backends, { kind: "task", name: "a/7/x" })).toEqual({ kind: "task", exposed: "a/7/x", backend: "a", original: "7/x" });
    expect(() => resolveTarget(s, pipeline.backends, { kind: "task", name: "nobody/1" })).toThrow(expect.objectContaining({ code: "UNKNOWN_TASK", message: "Unknown task: nobody/1" }));
    expect(() => resolveTarget(s, pipeline.backends, { kind: "task", name: "7" })).toThrow(expect.objectContaining({ code: "UNKNOWN_TASK" }));
  });
});

describe("the compiled pipeline", () => {
  it("forwards with the backend's own names and namespaces a created task's id", async () => {
    const forwarded: Array<{ backend: string; method: string; params: Params }> = [];
    const s = scope(forwarded);
    const result = await pipeline.handle(request("tools/call", { name: "a__search", arguments: { q: 1 }, _meta: { progressToken: 5 } }, s));
    expect(forwarded).toEqual([{ backend: "a", method: "tools/call", params: { name: "search", arguments: { q: 1 }, _meta: { progressToken: 5 } } }]);
    expect(result).toEqual({ task: { taskId: "a/9" } });
    await pipeline.handle(request("completion/complete", { ref: { type: "ref/prompt", name: "a__greet" }, argument: { name: "x", value: "" } }, s));
    expect(forwarded[1]).toEqual({ backend: "a", method: "completion/complete", params: { ref: { type: "ref/prompt", name: "greet" }, argument: { name: "x", value: "" } } });
    await pipeline.handle(request("tasks/get", { taskId: "a/9" }, s));
    expect(forwarded[2]).toEqual({ backend: "a", method: "tasks/get", params: { taskId: "9" } });
  });

  it("answers lists from the client's surface and refuses a cursor it never issued", async () => {
    expect(await pipeline.handle(request("tools/list", {}))).toEqual({ tools: [{ name: "a__search" }] });
    await expect(pipeline.handle(request("tools/list", { cursor: "x" }))).rejects.toMatchObject({ code: "INVALID_CURSOR" });
  });

  it("never forwards a request whose target does not resolve", async () => {
    const forwarded: Array<{ backend: string; method: string; params: Params }> = [];
    await expect(pipeline.handle(request("tools/call", { name: "nope" }, scope(forwarded)))).rejects.toMatchObject({ code: "UNKNOWN_TOOL" });
    expect(forwarded).toEqual([]);
  });

  it("refuses a request without the name it must carry, and an unknown log level, before anything is forwarded", async () => {
    const forwarded: Array<{ backend: string; method: string; params: Params }> = [];
    const s = scope(forwarded);
    await expect(pipeline.handle(request("tools/call", {}, s))).rejects.toMatchObject({ code: "INVALID_PARAMS", message: "Invalid params: tools/call needs params.name (a string)" });
    await expect(pipeline.handle(request("resources/read", { uri: 7 }, s))).rejects.toMatchObject({ code: "INVALID_PARAMS" });
    await expect(pipeline.handle(request("completion/complete", {}, s))).rejects.toMatchObject({ code: "INVALID_PARAMS" });
    await expect(pipeline.handle(request("tasks/get", {}, s))).rejects.toMatchObject({ code: "INVALID_PARAMS" });
    await expect(pipeline.handle(request("logging/setLevel", { level: "bogus" }, s))).rejects.toMatchObject({ code: "INVALID_PARAMS" });
    expect(forwarded).toEqual([]);
  });

  it("declares every routed method once, each list method with its list and every other with a forward", () => {
    for (const [method, spec] of Object.entries(METHODS)) {
      expect(typeof spec.forward, method).toBe("function");
      if (method.endsWith("/list")) expect("names" in spec, method).toBe(false);
    }
    expect(Object.keys(METHODS)).toHaveLength(16);
  });
});
