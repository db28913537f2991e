import { describe, expect, it } from "vitest";
import { compile } from "../../src/compile/compile.js";
import { validateConfig } from "../../src/config/index.js";
import { Cancellation } from "../../src/core/cancellation.js";
import type { ClientScope, Identity, Params, RequestContext, RoutedContext, RoutedMethod } from "../../src/core/context.js";
import { type BackendListing, buildSurface } from "../../src/core/surface.js";

// The enforcement stages of the compiled pipeline, without processes: one backend "a" with a
// tool, a listed resource and a template, a client scope that records what is forwarded.

const SECRET = "sk-live-ABCDEF";

function pipelineFor(extra: Record<string, unknown>) {
  const { config, issues } = validateConfig({ version: 1, backends: { a: { transport: "stdio", command: "a" } }, ...extra }, { configDir: "/", env: {} });
  if (!config) throw new Error(`test config is invalid: ${JSON.stringify(issues)}`);
  const pipeline = compile(config);
  const a: BackendListing = {
    backend: "a",
    namespace: "a",
    tools: [{ name: "run" }, { name: "fail" }],
    prompts: [],
    resources: [{ uri: "a://info" }],
    resourceTemplates: [{ uriTemplate: "a://files/{path}" }],
  };
  const forwarded: Array<{ method: string; params: Params }> = [];
  const scope: ClientScope = {
    sessionId: "s1",
    surface: buildSurface([a], pipeline.plan),
    knownSurface: buildSurface([a], pipeline.plan),
    hasListing: () => true,
    startOwn: async () => false,
    forward: async (_ctx: RoutedContext, method: string, params: Params) => {
      forwarded.push({ method, params });
      // A backend's JSON-RPC error, as the upstream session hands it on (code, message, data).
      if (params.name === "fail") throw Object.assign(new Error(`key ${SECRET} was rejected`), { code: -32042, data: { key: SECRET, attempts: 1 } });
      if (method === "tools/call") return { task: { taskId: "t1", status: "working" } };
      if (method === "tasks/result") return { content: [{ type: "text", text: `the key is ${SECRET}` }] };
      return { contents: [{ uri: String(params.uri), text: "contents" }] };
    },
    subscribe: async () => ({}),
    unsubscribe: async () => ({}),
    setLogLevel: async () => ({}),
    listTasks: async () => ({ tasks: [] }),
    labelsSeen: new Set(),
    taskOrigins: new Map(),
  };
  const identity: Identity = { sub: "u", roles: [], scopes: [], claims: {} };
  const run = (method: RoutedMethod, params: Params) =>
    pipeline.handle({ method, id: 1, params, scope, info: { binding: "test", transport: "stdio", identity }, cancellation: new Cancellation() } as RequestContext);
  return { run, scope, forwarded };
}

describe("the authorize stage", () => {
  it("decides a URI only a template produces as the template too: a call-time deny on the template refuses the read", async () => {
    const { run, scope, forwarded } = pipelineFor({
      routes: [{ backend: "a", kind: "resource", name: "a://info", labels: ["untrusted"] }],
      policies: {
        default: "allow",
        rules: [{ name: "no-files-after-untrusted", effect: "deny", match: { kinds: ["resourceTemplate"] }, when: { in: ["untrusted", { var: "session.labelsSeen" }] } }],
      },
    });
    // Before: allowed (the rule's session condition is false).
    await run("resources/read", { uri: "a://files/x" });
    await run("resources/read", { uri: "a://info" });
    expect([...scope.labelsSeen]).toEqual(["untrusted"]);
    forwarded.length = 0;
    for (const method of ["resources/read", "resources/subscribe"] as const) {
      await expect(run(method, { uri: "a://files/x" })).rejects.toMatchObject({ code: "FORBIDDEN", data: { policy: "no-files-after-untrusted" } });
    }
    expect(forwarded).toEqual([]);
  });
});

describe("the filter stage", () => {
  it("filters a task's result as the tools/call that created it, also for a filter limited to methods: [tools/call]", async () => {
    const { run } = pipelineFor({ filters: [{ name: "keys", match: { methods: ["tools/call"], names: ["a__run"] }, redact: [{ pattern: "sk-live-[A-Z]+", replacement: "[KEY]" }] }] });
    const created = await run("tools/call", { name: "a__run", arguments: {} });
    const taskId = (created.task as { taskId: string }).taskId;
    expect(await run("tasks/result", { taskId })).toEqual({ content: [{ type: "text", text: "the key is [KEY]" }] });
  });
});

describe("the filter stage on a backend's error", () => {
  it("redacts the message and data of a JSON-RPC error the backend answered with, and leaves the proxy's own errors alone", async () => {
    const { run } = pipelineFor({ filters: [{ name: "keys", redact: [{ pattern: "sk-live-[A-Z]+", replacement: "[KEY]" }] }] });
    await expect(run("tools/call", { name: "a__fail", arguments: {} })).rejects.toMatchObject({ code: -32042, message: "key [KEY] was rejected", data: { key: "[KEY]", attempts: 1 } });
    await expect(run("tools/call", { name: "a__nope", arguments: {} })).rejects.toMatchObject({ code: "UNKNOWN_TOOL", message: "Unknown tool: a__nope" });
  });
});

describe("the call decision's request data", () => {
  it("has only the fields the method defines: a uri added to tools/call, or arguments added to resources/read, are not read", async () => {
    const { run, forwarded } = pipelineFor({
      policies: {
        default: "deny",
        rules: [
          // Listed (unknown without arguments), allowed with ok: true only.
          { name: "flagged", effect: "allow", when: { "===": [{ var: "request.arguments.ok" }, true] } },
          { name: "public-uri", effect: "allow", when: { "==": [{ var: "request.uri" }, "a://public"] } },
        ],
      },
    });
    await expect(run("tools/call", { name: "a__run", arguments: {}, uri: "a://public" })).rejects.toMatchObject({ code: "FORBIDDEN", data: { policy: "default" } });
    // A resource has no arguments: an argument rule decides as it would without them.
    await expect(run("resources/read", { uri: "a://info", arguments: { ok: true } })).rejects.toMatchObject({ code: "FORBIDDEN", data: { policy: "default" } });
    expect(forwarded).toEqual([]);
    await run("tools/call", { name: "a__run", arguments: { ok: true } });
    expect(forwarded.map((f) => f.method)).toEqual(["tools/call"]);
  });
});
