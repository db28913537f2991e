import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BindingKind, connectClient, recorderBackend, SERVERS, startHttpRecorder, type TestClient, textOf, waitFor } from "../support/mcp-clients.js";
import { type ProxyProcess, startProxyProcess, writeConfig } from "../support/proxy-process.js";

/** Four real backends at once: two reference servers and a recorder over stdio, a recorder over Streamable HTTP. */
function gatewayConfig(betaUrl: string, bindings: unknown[]) {
  return {
    version: 1,
    backends: {
      everything: { transport: "stdio", command: process.execPath, args: [SERVERS.everything, "stdio"] },
      memory: { transport: "stdio", command: process.execPath, args: [SERVERS.memory], env: { MEMORY_FILE_PATH: "./memory.jsonl" } },
      alpha: recorderBackend("alpha"),
      beta: { transport: "http", url: betaUrl },
    },
    bindings,
    // Only colliding names get a prefix: `search` exists on alpha and beta.
    naming: { prefix: "on-conflict" },
    routes: [
      { backend: "alpha", kind: "tool", name: "whoami", rename: "alpha_identity", description: "Which recorder answers." },
      { backend: "beta", kind: "tool", name: "whoami", hide: true },
    ],
    logging: { level: "warn" },
  };
}

let beta: { url: string; stop(): void };
let httpProxy: ProxyProcess;
let stdioConfigFile: string;

beforeAll(async () => {
  beta = await startHttpRecorder("beta");
  httpProxy = await startProxyProcess(gatewayConfig(beta.url, [{ transport: "http", port: 0, legacySse: true }]));
  stdioConfigFile = writeConfig(gatewayConfig(beta.url, [{ transport: "stdio" }]));
}, 30_000);

afterAll(async () => {
  await httpProxy?.stop();
  beta?.stop();
});

const target = () => ({ url: httpProxy.url, sseUrl: httpProxy.sseUrl, configFile: stdioConfigFile });

describe.each<BindingKind>(["http", "sse", "stdio"])("through the %s binding", (kind) => {
  let c: TestClient;
  beforeAll(async () => {
    c = await connectClient(kind, target());
  }, 30_000);
  afterAll(async () => c?.close());

  it("lists every backend's tools merged, collisions prefixed and overrides applied", async () => {
    const { tools } = await c.client.listTools();
    const names = tools.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(["echo", "read_graph", "alpha__search", "beta__search", "alpha_identity", "alpha__pid", "beta__pid"]));
    expect(names).not.toContain("search");
    expect(names).not.toContain("whoami");
    expect(names).not.toContain("beta__whoami");
    expect(tools.find((t) => t.name === "alpha_identity")?.description).toBe("Which recorder answers.");
    // Deterministic order: backends in config order, each in its own order.
    expect(names.indexOf("echo")).toBeLessThan(names.indexOf("read_graph"));
    expect(names.indexOf("read_graph")).toBeLessThan(names.indexOf("alpha__search"));
  });

  it("routes calls to the owning backend, including renamed and colliding tools", async () => {
    expect(textOf(await c.client.callTool({ name: "echo", arguments: { message: "hi" } }))).toBe("Echo: hi");
    expect(textOf(await c.client.callTool({ name: "alpha__search", arguments: { query: "q" } }))).toBe("alpha: q");
    expect(textOf(await c.client.callTool({ name: "beta__search", arguments: { query: "q" } }))).toBe("beta: q");
    expect(textOf(await c.client.callTool({ name: "alpha_identity", arguments: {} }))).toBe("alpha");
  });

  it("keeps every field a backend sent and passes its errors through unchanged", async () => {
    const { tools } = await c.client.listTools();
    const rich = tools.find((t) => t.name === "alpha__rich") as Record<string, unknown>;
    expect(rich.outputSchema).toEqual({ type: "object", properties: { ok: { type: "boolean" } } });
    expect(rich.annotations).toEqual({ readOnlyHint: true });
    const raw = await c.client.request({ method: "tools/call", params: { name: "alpha__rich", arguments: {} } }, { "~standard": { version: 1, vendor: "t", validate: (v: unknown) => ({ value: v }) } } as never);
    expect(raw).toMatchObject({ structuredContent: { ok: true }, _meta: { "vendor/result": "kept" }, content: [{ type: "text", text: "rich", _meta: { "vendor/block": true } }] });
    await expect(c.client.callTool({ name: "alpha__fail", arguments: {} })).rejects.toMatchObject({ code: -32042, message: "alpha refuses" });
  });

  it("namespaces task ids by backend and routes task requests back to it", async () => {
    const raw = { "~standard": { version: 1, vendor: "t", validate: (v: unknown) => ({ value: v }) } } as never;
    const created = (await c.client.request(
      { method: "tools/call", params: { name: "simulate-research-query", arguments: { topic: "gateways" }, task: { ttl: 60_000 } } },
      raw,
    )) as unknown as { task: { taskId: string; status: string } };
    expect(created.task.taskId).toMatch(/^everything\/./);
    const got = (await c.client.request({ method: "tasks/get", params: { taskId: created.task.taskId } }, raw)) as unknown as { taskId: string; status: string };
    expect(got.taskId).toBe(created.task.taskId);
    expect(["working", "completed", "input_required"]).toContain(got.status);
    const listed = (await c.client.request({ method: "tasks/list", params: {} }, raw)) as unknown as { tasks: Array<{ taskId: string }> };
    expect(listed.tasks.map((t) => t.taskId)).toContain(created.task.taskId);
    await expect(c.client.request({ method: "tasks/get", params: { taskId: "nobody/1" } }, raw)).rejects.toMatchObject({ code: -32602, message: "Unknown task: nobody/1" });
  });

  it("answers an unknown tool with the spec's error", async () => {
    await expect(c.client.callTool({ name: "no_such_tool", arguments: {} })).rejects.toMatchObject({ code: -32602, message: "Unknown tool: no_such_tool" });
  });

  it("reads resources and gets prompts from their owners", async () => {
    const { resources } = await c.client.listResources();
    const uris = resources.map((r) => r.uri);
    expect(uris).toEqual(expect.arrayContaining(["recorder://alpha/info", "recorder://beta/info", "demo://resource/static/document/architecture.md"]));
    const read = await c.client.readResource({ uri: "recorder://beta/info" });
    expect(read.contents[0]).toMatchObject({ text: "info of beta" });
    const templated = await c.client.readResource({ uri: "demo://resource/dynamic/text/7" });
    expect(JSON.stringify(templated.contents)).toContain("7");
    const prompt = await c.client.getPrompt({ name: "alpha__greet", arguments: { who: "ann" } });
    expect(JSON.stringify(prompt.messages)).toContain("alpha greets ann");
  });

  it("forwards progress with the client's own token", async () => {
    const seen: number[] = [];
    const result = await c.client.callTool(
      { name: "trigger-long-running-operation", arguments: { duration: 1, steps: 4 } },
      { onprogress: (p) => void seen.push(p.progress) },
    );
    expect(textOf(result)).toContain("Long running operation completed");
    expect(seen.length).toBeGreaterThanOrEqual(3);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
  });

  it("cancels the upstream request when the client cancels, as the backend records", async () => {
    const abort = new AbortController();
    const call = c.client.callTool({ name: "alpha__slow", arguments: { ms: 20_000 } }, { signal: abort.signal });
    setTimeout(() => abort.abort("user gave up"), 300);
    // The client's own cancellation ends the call (not an answer or an error from the proxy)…
    await expect(call).rejects.toThrow("user gave up");
    // …and the backend is told, with the client's reason.
    const cancellations = async () => JSON.parse(textOf(await c.client.callTool({ name: "alpha__cancellations", arguments: {} }))) as Array<{ reason: string }>;
    expect(await waitFor(async () => (await cancellations()).length === 1, 5000)).toBe(true);
    expect((await cancellations())[0]!.reason).toBe("user gave up");
  });
});
