import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { connectClient, recorderBackend, type TestClient, textOf, waitFor } from "../support/mcp-clients.js";
import { spawnCli } from "../support/cli.js";
import { type ProxyProcess, runProxyOnFile, writeConfig } from "../support/proxy-process.js";

// What a reload changes besides backends and policies: credentials, the audit sink, listeners.

let proxy: ProxyProcess | undefined;
const clients: TestClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close().catch(() => undefined)));
  expect(await proxy?.stop()).toBe(0);
  proxy = undefined;
});

const base = (extra: Record<string, unknown> = {}) => ({
  version: 1,
  backends: { hub: recorderBackend("hub", { session: "shared" }) },
  bindings: [{ transport: "http", name: "main", port: 0 }],
  limits: { initializeWaitMs: 30_000 },
  reload: { debounceMs: 50 },
  audit: { enabled: false },
  ...extra,
});

function replaceConfig(file: string, config: Record<string, unknown>): void {
  writeFileSync(`${file}.tmp`, JSON.stringify(config));
  renameSync(`${file}.tmp`, file);
}

const reloaded = (p: ProxyProcess) => p.stderr().split("\n").filter((l) => l.includes('"msg":"config reloaded"')).length;

describe("hot reload of credentials, audit sink and listeners", () => {
  it("refuses a revoked token on its next request, in a session opened before the change", async () => {
    const file = writeConfig({});
    const secret = join(dirname(file), "ann.token");
    writeFileSync(secret, "ann-token-1\n");
    const auth = (tokens: unknown[]) => ({ auth: { type: "bearer", tokens } });
    const ann = { token: { file: "ann.token" }, subject: "ann" };
    const bob = { token: { env: "BOB_TOKEN" }, subject: "bob" };
    writeFileSync(file, JSON.stringify(base(auth([ann, bob]))));
    proxy = await runProxyOnFile(file, { env: { BOB_TOKEN: "bob-token" } });
    const annClient = await connectClient("http", { url: proxy.url }, { token: "ann-token-1" });
    const bobClient = await connectClient("http", { url: proxy.url }, { token: "bob-token" });
    clients.push(annClient, bobClient);

    // Bob is revoked in the config; Ann's token is rotated in its secret file (a watched file).
    replaceConfig(file, base(auth([ann])));
    await waitFor(() => reloaded(proxy!) === 1, 5000);
    const refused = await bobClient.client.callTool({ name: "hub__whoami", arguments: {} }).then(
      () => "served",
      (e: Error) => e.message,
    );
    expect(refused).toMatch(/"code":-32019.*UNAUTHENTICATED/);
    expect(textOf(await annClient.client.callTool({ name: "hub__whoami", arguments: {} }))).toBe("hub");

    writeFileSync(secret, "ann-token-2\n");
    expect(await waitFor(() => reloaded(proxy!) === 2, 5000)).toBe(true);
    const old = await annClient.client.callTool({ name: "hub__whoami", arguments: {} }).then(() => "served", (e: Error) => e.message);
    expect(old).toMatch(/"code":-32019.*UNAUTHENTICATED/);
    // The secret's value is never shown, only its reference.
    expect(proxy.stderr()).not.toContain("ann-token");
  });

  it("moves the audit trail to a new sink: lines before the change in the old file, after it in the new", async () => {
    const file = writeConfig({});
    const first = join(dirname(file), "first.audit.jsonl");
    const second = join(dirname(file), "second.audit.jsonl");
    writeFileSync(file, JSON.stringify(base({ audit: { sink: "file", file: "first.audit.jsonl" } })));
    proxy = await runProxyOnFile(file);
    const c = await connectClient("http", { url: proxy.url });
    clients.push(c);
    await c.client.callTool({ name: "hub__search", arguments: { query: "before" } });
    replaceConfig(file, base({ audit: { sink: "file", file: "second.audit.jsonl" } }));
    expect(await waitFor(() => reloaded(proxy!) === 1, 5000)).toBe(true);
    await c.client.callTool({ name: "hub__whoami", arguments: {} });
    const lines = (path: string) => (existsSync(path) ? readFileSync(path, "utf8").trim().split("\n").filter(Boolean).map((l) => JSON.parse(l) as { method: string; target?: { exposed?: string } }) : []);
    expect(await waitFor(() => lines(second).some((l) => JSON.stringify(l).includes("hub__whoami")), 5000)).toBe(true);
    expect(lines(first).some((l) => JSON.stringify(l).includes("hub__search"))).toBe(true);
    expect(lines(first).some((l) => JSON.stringify(l).includes("hub__whoami"))).toBe(false);

    // A change of what is recorded, same chained sink: the one log goes on, the chain unbroken.
    const third = join(dirname(file), "third.audit.jsonl");
    replaceConfig(file, base({ audit: { sink: "file", file: "third.audit.jsonl", chain: true } }));
    expect(await waitFor(() => reloaded(proxy!) === 2, 5000)).toBe(true);
    await c.client.callTool({ name: "hub__search", arguments: { query: "chained" } });
    replaceConfig(file, base({ audit: { sink: "file", file: "third.audit.jsonl", chain: true, includeArguments: true } }));
    expect(await waitFor(() => reloaded(proxy!) === 3, 5000)).toBe(true);
    await c.client.callTool({ name: "hub__search", arguments: { query: "recorded" } });
    expect(await waitFor(() => existsSync(third) && readFileSync(third, "utf8").includes('"recorded"'), 5000)).toBe(true);
    const [before, after] = lines(third) as Array<{ argumentsDigest?: string; arguments?: unknown }>;
    expect(before?.argumentsDigest).toMatch(/^sha256:/);
    expect(after?.arguments).toEqual({ query: "recorded" });
    const verified = spawnCli(["audit", "verify", third]);
    expect(verified.code, verified.stdout + verified.stderr).toBe(0);
  });

  it("opens a listener a reload adds, and a client served by it sees the same backends", async () => {
    const file = writeConfig(base());
    proxy = await runProxyOnFile(file);
    replaceConfig(file, base({ bindings: [{ transport: "http", name: "main", port: 0 }, { transport: "http", name: "extra", port: 0, path: "/extra" }] }));
    let url: string | undefined;
    expect(
      await waitFor(() => {
        url = /"binding":"extra","urls":\{"streamable":"([^"]+)"/.exec(proxy!.stderr())?.[1];
        return url !== undefined;
      }, 5000),
    ).toBe(true);
    const c = await connectClient("http", { url });
    clients.push(c);
    expect(textOf(await c.client.callTool({ name: "hub__whoami", arguments: {} }))).toBe("hub");
    // The listener that did not change kept serving its sessions.
    const main = await connectClient("http", { url: proxy.url });
    clients.push(main);
    expect(textOf(await main.client.callTool({ name: "hub__whoami", arguments: {} }))).toBe("hub");
  });

  it("probes a required backend a reload adds: /readyz names it until it starts, then answers 200", async () => {
    const file = writeConfig(base());
    const downFile = join(dirname(file), "alpha-down");
    writeFileSync(downFile, "down");
    proxy = await runProxyOnFile(file);
    const origin = new URL(proxy.url!).origin;
    const ready = async () => (await fetch(`${origin}/readyz`, { signal: AbortSignal.timeout(10_000) })).status;
    const alpha = async () => ((await (await fetch(`${origin}/status`, { signal: AbortSignal.timeout(10_000) })).json()) as { backends: Array<{ name: string; restarts: number }> }).backends.find((b) => b.name === "alpha");
    expect(await ready()).toBe(200);
    // A per-client backend no client uses: only the readiness probe starts it.
    replaceConfig(file, base({ backends: { hub: recorderBackend("hub", { session: "shared" }), alpha: recorderBackend("alpha", { required: true, env: { RECORDER_DOWN_WHILE: downFile } }) } }));
    expect(await waitFor(async () => (await alpha()) !== undefined, 5000)).toBe(true);
    expect(await ready()).toBe(503);
    // The probe tries it (each failed start is a restart) and, once it can start, readiness follows.
    expect(await waitFor(async () => ((await alpha())?.restarts ?? 0) >= 1, 15_000, 100)).toBe(true);
    rmSync(downFile);
    expect(await waitFor(async () => (await ready()) === 200, 20_000, 200)).toBe(true);
  }, 45_000);

  it("writes the line of a call that began on a replaced audit sink, when SIGTERM comes before the sink's drain time", async () => {
    const file = writeConfig({});
    const first = join(dirname(file), "first.audit.jsonl");
    const config = (audit: string) => base({ audit: { sink: "file", file: audit }, reload: { debounceMs: 50, drainMs: 30_000 }, limits: { initializeWaitMs: 30_000, shutdownGraceMs: 10_000 } });
    writeFileSync(file, JSON.stringify(config("first.audit.jsonl")));
    proxy = await runProxyOnFile(file);
    const c = await connectClient("http", { url: proxy.url });
    clients.push(c);
    const slow = c.client.callTool({ name: "hub__slow", arguments: { ms: 1500 } });
    replaceConfig(file, config("second.audit.jsonl"));
    expect(await waitFor(() => reloaded(proxy!) === 1, 5000)).toBe(true);
    proxy.child.kill("SIGTERM");
    expect(textOf(await slow)).toBeTruthy();
    // Waits for the exit the first signal started (a second SIGTERM would end the process at once).
    const child = proxy.child;
    expect(child.exitCode ?? (await new Promise((resolve) => child.once("exit", resolve)))).toBe(0);
    const lines = readFileSync(first, "utf8").trim().split("\n").map((l) => JSON.parse(l) as { method: string; status: string; target?: string });
    expect(lines.filter((l) => l.method === "tools/call" && l.target === "hub__slow" && l.status === "ok")).toHaveLength(1);
  }, 30_000);
});
