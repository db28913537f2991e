import { renameSync, writeFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { connectClient, isAlive, recorderBackend, refusal, type TestClient, textOf, waitFor } from "../support/mcp-clients.js";
import { type ProxyProcess, runProxyOnFile, writeConfig } from "../support/proxy-process.js";
import { descendants } from "../support/process-tree.js";

// Hot reload against a real `mcp-proxy start`: the config file is rewritten (in place, or by
// write-then-rename as editors do) while a real client stays connected.

let proxy: ProxyProcess | undefined;
let client: TestClient | undefined;

afterEach(async () => {
  await client?.close().catch(() => undefined);
  client = undefined;
  const pid = proxy?.child.pid;
  expect(await proxy?.stop()).toBe(0);
  proxy = undefined;
  // Every backend child went with the gateway.
  if (pid) expect(await waitFor(() => descendants(pid).length === 0, 5000)).toBe(true);
});

const base = (extra: Record<string, unknown> = {}) => ({
  version: 1,
  backends: { hub: recorderBackend("hub", { session: "shared" }) },
  bindings: [{ transport: "http", port: 0 }],
  limits: { initializeWaitMs: 30_000 },
  reload: { debounceMs: 50 },
  audit: { enabled: false },
  ...extra,
});

/** Replaces the config the way editors and deploy tools do: a temporary file renamed over it. */
function replaceConfig(file: string, config: Record<string, unknown>): void {
  writeFileSync(`${file}.tmp`, JSON.stringify(config));
  renameSync(`${file}.tmp`, file);
}

const reloads = (p: ProxyProcess, message: string) => p.stderr().split("\n").filter((line) => line.includes(`"msg":"${message}"`));
const toolNames = async (c: TestClient) => (await c.client.listTools()).tools.map((t) => t.name);

async function start(config: Record<string, unknown>): Promise<string> {
  const file = writeConfig(config);
  proxy = await runProxyOnFile(file);
  client = await connectClient("http", { url: proxy.url });
  return file;
}

describe("hot reload", () => {
  it("applies a tightened policy without restarting the backend, and tells the client its list changed", async () => {
    const file = await start(base());
    const pid = textOf(await client!.client.callTool({ name: "hub__pid", arguments: {} }));
    expect(await toolNames(client!)).toContain("hub__search");

    replaceConfig(file, base({ policies: { default: "allow", rules: [{ name: "no-search", effect: "deny", match: { names: ["hub__search"] } }] } }));
    expect(await waitFor(() => client!.notifications.includes("notifications/tools/list_changed"), 5000)).toBe(true);
    expect(await toolNames(client!)).not.toContain("hub__search");
    expect((await refusal(client!.client.callTool({ name: "hub__search", arguments: { query: "x" } }))).code).toBe(-32602);
    // Same process: a policy change restarts nothing.
    expect(textOf(await client!.client.callTool({ name: "hub__pid", arguments: {} }))).toBe(pid);
    expect(await waitFor(() => reloads(proxy!, "config reloaded").length === 1, 5000)).toBe(true);
    expect(reloads(proxy!, "config reloaded")[0]).toMatch(/"hash":"[0-9a-f]{64}"/);
  });

  it("keeps serving on the last good config when a change is invalid, logs its path, then applies the next valid one", async () => {
    const file = await start(base());
    replaceConfig(file, { ...base(), backends: { hub: { transport: "stdio" } } });
    expect(await waitFor(() => reloads(proxy!, "reload failed; the last good config keeps serving").length === 1, 5000)).toBe(true);
    expect(proxy!.stderr()).toMatch(/reload failed: backends\.hub/);
    expect(textOf(await client!.client.callTool({ name: "hub__whoami", arguments: {} }))).toBe("hub");

    // A secret that cannot be resolved is a bad config too.
    replaceConfig(file, base({ backends: { hub: recorderBackend("hub", { session: "shared", env: { API_TOKEN: { file: "missing-secret.txt" } } }) } }));
    expect(await waitFor(() => reloads(proxy!, "reload failed; the last good config keeps serving").length === 2, 5000)).toBe(true);
    expect(proxy!.stderr()).toMatch(/reload failed: backends\.hub\.env\.API_TOKEN\.file: cannot read secret file/);

    replaceConfig(file, base({ naming: { prefix: "always", separator: "_" } }));
    expect(await waitFor(async () => (await toolNames(client!)).includes("hub_whoami"), 5000)).toBe(true);
    // The new surface serves before the reloader logs its success line: wait for the line.
    expect(await waitFor(() => reloads(proxy!, "config reloaded").length >= 1, 5000)).toBe(true);
    expect(reloads(proxy!, "config reloaded")).toHaveLength(1);
  });

  it("reconciles backends by name: kept keeps its process, changed gets a new one, removed stops, added appears", async () => {
    const two = { hub: recorderBackend("hub", { session: "shared" }), old: recorderBackend("old", { session: "shared" }), edit: recorderBackend("edit", { session: "shared" }) };
    const file = await start(base({ backends: two }));
    const pidOf = async (backend: string) => Number(textOf(await client!.client.callTool({ name: `${backend}__pid`, arguments: {} })));
    const [hub, old, edit] = [await pidOf("hub"), await pidOf("old"), await pidOf("edit")];

    replaceConfig(file, base({ backends: { hub: two.hub, edit: recorderBackend("edit", { session: "shared", env: { CHANGED: "1" } }), fresh: recorderBackend("fresh", { session: "shared" }) } }));
    expect(await waitFor(async () => {
      const names = await toolNames(client!);
      return names.includes("fresh__pid") && !names.includes("old__pid");
    }, 10_000)).toBe(true);
    expect(await pidOf("hub")).toBe(hub);
    expect(await waitFor(async () => (await pidOf("edit")) !== edit, 10_000)).toBe(true);
    expect(await waitFor(() => !isAlive(old) && !isAlive(edit), 5000)).toBe(true);
    expect(client!.notifications).toContain("notifications/tools/list_changed");
  });

  it("reloads on SIGHUP when the file watcher is off", async () => {
    const file = await start(base({ reload: { enabled: false } }));
    writeFileSync(file, JSON.stringify(base({ reload: { enabled: false }, naming: { prefix: "never" } })));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await toolNames(client!)).toContain("hub__whoami");
    proxy!.child.kill("SIGHUP");
    expect(await waitFor(async () => (await toolNames(client!)).includes("whoami"), 5000)).toBe(true);
    expect(await waitFor(() => reloads(proxy!, "config reloaded").length === 1, 5000)).toBe(true);
    expect(reloads(proxy!, "config reloaded")[0]).toContain('"trigger":"SIGHUP"');
  });
});

describe("graceful shutdown", () => {
  it("lets a call under way finish on SIGTERM, refuses new sessions, and exits 0", async () => {
    await start(base({ limits: { initializeWaitMs: 30_000, shutdownGraceMs: 5000 } }));
    const slow = client!.client.callTool({ name: "hub__slow", arguments: { ms: 1500 } });
    // Long enough for the call to reach the gateway (a call not yet received is not under way).
    await new Promise((resolve) => setTimeout(resolve, 400));
    proxy!.child.kill("SIGTERM");
    await new Promise((resolve) => setTimeout(resolve, 100));
    const late = await fetch(proxy!.url!, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "late", version: "1" } } }),
    });
    // The listener stays while calls drain, but opens no new session.
    expect(late.status).toBe(503);
    expect(((await late.json()) as { error: unknown }).error).toMatchObject({ code: -32027, data: { reason: "SHUTTING_DOWN" } });
    expect(textOf(await slow)).toBe("done");
    const code = proxy!.child.exitCode ?? (await new Promise((resolve) => proxy!.child.once("exit", resolve)));
    expect(code).toBe(0);
    expect(proxy!.stderr()).toContain('"msg":"gateway stopped"');
  });
});
