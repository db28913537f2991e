import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../support/cli.js";
import { connectClient, refusal, type TestClient, textOf, waitFor } from "../support/mcp-clients.js";
import { type ProxyProcess, startProxyProcess } from "../support/proxy-process.js";

const COUNTER_SERVER = `${REPO_ROOT}test/support/servers/counter-server.mjs`;
const counter = (extra: Record<string, unknown>) => ({ transport: "stdio", command: process.execPath, args: [COUNTER_SERVER], session: "shared", ...extra });

describe("concurrency caps and circuit breaking (counter backends over stdio, a client over Streamable HTTP)", () => {
  let proxy: ProxyProcess;
  let client: TestClient;
  const hangFile = join(mkdtempSync(join(tmpdir(), "mcp-proxy-guards-")), "down");
  const call = (name: string, args: Record<string, unknown> = {}) => client.client.callTool({ name, arguments: args });

  beforeAll(async () => {
    proxy = await startProxyProcess({
      version: 1,
      backends: {
        busy: counter({ maxConcurrent: 1, maxQueueMs: 150 }),
        capped: counter({}),
        flaky: counter({ env: { COUNTER_HANG_WHILE: hangFile }, timeouts: { callMs: 300 }, circuitBreaker: { failures: 2, cooldownMs: 1000 } }),
      },
      bindings: [{ transport: "http", port: 0 }],
      limits: { concurrency: [{ name: "one-slow", match: { names: ["capped__slow"] }, maxConcurrent: 1, maxQueueMs: 0 }] },
    });
    client = await connectClient("http", proxy);
  }, 60_000);

  afterAll(async () => {
    rmSync(hangFile, { force: true });
    await client?.close();
    await proxy?.stop();
  });

  it("lets a call wait for a free place for up to maxQueueMs, then refuses with -32023 naming the backend", async () => {
    // Two short calls: the second waits its turn and is served.
    const short = await Promise.all([call("busy__slow", { ms: 20 }), call("busy__slow", { ms: 20 })]);
    expect(short.map(textOf).every((t) => t.startsWith("slow "))).toBe(true);
    // A long call holds the only place for longer than the second may wait.
    const long = call("busy__slow", { ms: 800 });
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    const refused = await refusal(call("busy__count"));
    expect(Date.now() - started).toBeLessThan(700);
    expect(refused).toMatchObject({ code: -32023, data: { reason: "CONCURRENCY_LIMIT", backend: "busy", limit: 1 } });
    expect(refused.message).toContain('backend "busy" is busy');
    expect(textOf(await long)).toMatch(/^slow /);
    // The place is free again.
    expect(textOf(await call("busy__count"))).toMatch(/^call /);
  });

  it("caps one tool across clients by limits.concurrency and leaves the backend's other tools alone", async () => {
    const held = call("capped__slow", { ms: 600 });
    await new Promise((r) => setTimeout(r, 50));
    const refused = await refusal(call("capped__slow", { ms: 10 }));
    expect(refused).toMatchObject({ code: -32023, data: { reason: "CONCURRENCY_LIMIT", backend: "capped", cap: "one-slow", limit: 1 } });
    expect(refused.message).toContain('"capped__slow" is busy');
    expect(textOf(await call("capped__count"))).toMatch(/^call /);
    expect(textOf(await held)).toMatch(/^slow /);
  });

  it("opens the circuit after consecutive timeouts, lets exactly one trial through after the cool-down, and closes once the backend recovers", async () => {
    writeFileSync(hangFile, "down");
    for (let i = 0; i < 2; i++) expect(await refusal(call("flaky__hang-while"))).toMatchObject({ code: -32011, data: { reason: "BACKEND_TIMEOUT", backend: "flaky" } });
    const started = Date.now();
    const open = await refusal(call("flaky__hang-while"));
    expect(Date.now() - started).toBeLessThan(250); // failed fast, not after the 300 ms timeout
    expect(open).toMatchObject({ code: -32024, data: { reason: "CIRCUIT_OPEN", backend: "flaky" } });
    expect(open.data!.retryAfterMs).toBeGreaterThan(0);
    expect(open.data!.retryAfterMs).toBeLessThanOrEqual(1000);
    expect(await waitFor(() => proxy.stderr().includes("circuit open"))).toBe(true);

    // Half-open while still down: of two calls, exactly one goes through (and times out); the other fails fast.
    await new Promise((r) => setTimeout(r, Number(open.data!.retryAfterMs) + 50));
    const trials = await Promise.all([refusal(call("flaky__hang-while")), refusal(call("flaky__hang-while"))]);
    expect(trials.map((t) => t.code).sort()).toEqual([-32011, -32024]);

    // The trial failed: open again. The backend recovers; after the cool-down the trial succeeds and closes the circuit.
    const reopened = await refusal(call("flaky__hang-while"));
    expect(reopened.code).toBe(-32024);
    rmSync(hangFile);
    await new Promise((r) => setTimeout(r, Number(reopened.data!.retryAfterMs) + 50));
    expect(textOf(await call("flaky__hang-while"))).toBe("ok");
    expect(textOf(await call("flaky__hang-while"))).toBe("ok");
    expect(await waitFor(() => proxy.stderr().includes("circuit closed"))).toBe(true);
  });
});

describe("a client that leaves while its call is still starting its own backend (per-client sessions)", () => {
  let proxy: ProxyProcess;

  beforeAll(async () => {
    proxy = await startProxyProcess({
      version: 1,
      backends: { own: { transport: "stdio", command: process.execPath, args: [COUNTER_SERVER], session: "per-client", maxConcurrent: 1, maxQueueMs: 0 } },
      bindings: [{ transport: "http", port: 0 }],
      limits: { concurrency: [{ name: "one-slow", match: { names: ["own__slow"] }, maxConcurrent: 1, maxQueueMs: 0 }] },
    });
  }, 60_000);

  afterAll(async () => {
    await proxy?.stop();
  });

  it("does not keep the backend's place or the tool's cap: the next client is served", async () => {
    const leaver = await connectClient("http", proxy);
    // Its first call starts its own backend process; it ends its session before that is up.
    const abandoned = leaver.client.callTool({ name: "own__slow", arguments: { ms: 10 } }).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 100));
    await leaver.terminate();
    await abandoned;
    const next = await connectClient("http", proxy);
    try {
      expect(textOf(await next.client.callTool({ name: "own__slow", arguments: { ms: 10 } }))).toMatch(/^slow /);
      expect(textOf(await next.client.callTool({ name: "own__count", arguments: {} }))).toMatch(/^call /);
    } finally {
      await next.close();
    }
  });
});

describe("a backend whose sessions are all taken (per-client sessions, maxSessions 1, a circuit breaker)", () => {
  let proxy: ProxyProcess;

  beforeAll(async () => {
    proxy = await startProxyProcess({
      version: 1,
      backends: { one: { transport: "stdio", command: process.execPath, args: [COUNTER_SERVER], session: "per-client", maxSessions: 1, circuitBreaker: { failures: 1, cooldownMs: 30_000 } } },
      bindings: [{ transport: "http", port: 0 }],
    });
  }, 60_000);

  afterAll(async () => {
    await proxy?.stop();
  });

  it("refuses the clients that find no session without opening the circuit for the one that holds it", async () => {
    const holder = await connectClient("http", proxy);
    const others = [await connectClient("http", proxy), await connectClient("http", proxy)];
    try {
      expect(textOf(await holder.client.callTool({ name: "one__count", arguments: {} }))).toMatch(/^call /);
      for (const other of others) {
        const refused = await refusal(other.client.callTool({ name: "one__count", arguments: {} }));
        expect(refused).toMatchObject({ code: -32010, data: { backend: "one", limit: "maxSessions" } });
      }
      expect(textOf(await holder.client.callTool({ name: "one__count", arguments: {} }))).toMatch(/^call /);
      expect(proxy.stderr()).not.toContain("circuit open");
    } finally {
      for (const client of [holder, ...others]) await client.close();
    }
  });
});
