import { writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectClient, recorderBackend, type TestClient, waitFor } from "../support/mcp-clients.js";
import { type ProxyProcess, runProxyOnFile, writeConfig } from "../support/proxy-process.js";

// POST /admin/reload (admin.reload: true) against a real `mcp-proxy start`, with the file
// watcher off so only the admin request can apply a change: it authenticates the caller, runs
// the same reloader as the watcher and SIGHUP, answers the outcome (200 applied, 409 the last
// good config kept serving), and /status and /metrics follow.

const CLIENT_TOKEN = "client-bearer-admin-reload-5b1e";

let proxy: ProxyProcess;
let client: TestClient;
let file: string;
let base: string;

const config = (extra: Record<string, unknown> = {}) => ({
  version: 1,
  backends: { hub: recorderBackend("hub", { session: "shared" }) },
  auth: { type: "bearer", tokens: [{ token: { env: "ADMIN_RELOAD_CLIENT_TOKEN" }, subject: "alice" }] },
  bindings: [{ transport: "http", port: 0 }],
  limits: { initializeWaitMs: 30_000 },
  reload: { enabled: false },
  admin: { reload: true },
  audit: { enabled: false },
  logging: { level: "info" },
  ...extra,
});

async function reload(headers: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${base}/admin/reload`, { method: "POST", headers, signal: AbortSignal.timeout(20_000) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function status(): Promise<{ configSynchronized: number; lastReload: { ok: boolean; trigger: string }; reloads: { ok: number; failed: number }; config: { hash: string } }> {
  return (await fetch(`${base}/status`, { signal: AbortSignal.timeout(10_000) })).json() as never;
}

async function synchronizedMetric(): Promise<number> {
  const text = await (await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
  return Number(/^mcp_proxy_config_synchronized (\S+)$/m.exec(text)?.[1]);
}

const toolNames = async () => (await client.client.listTools()).tools.map((t) => t.name);
const bearer = { authorization: `Bearer ${CLIENT_TOKEN}` };

beforeAll(async () => {
  file = writeConfig(config());
  proxy = await runProxyOnFile(file, { env: { ADMIN_RELOAD_CLIENT_TOKEN: CLIENT_TOKEN } });
  base = new URL(proxy.url!).origin;
  client = await connectClient("http", { url: proxy.url }, { token: CLIENT_TOKEN });
}, 30_000);

afterAll(async () => {
  await client?.close().catch(() => undefined);
  expect(await proxy?.stop()).toBe(0);
});

describe("POST /admin/reload", () => {
  it("refuses a caller without a credential the binding accepts, and changes nothing", async () => {
    writeFileSync(file, JSON.stringify(config({ naming: { prefix: "never" } })));
    for (const headers of [{}, { authorization: "Bearer not-the-token-000000" }] as Array<Record<string, string>>) {
      const refused = await reload(headers);
      expect(refused.status).toBe(401);
      expect(refused.body).toMatchObject({ error: { code: -32019, data: { reason: "ADMIN_UNAUTHENTICATED" } } });
    }
    expect(await toolNames()).toContain("hub__whoami");
    expect((await status()).reloads).toEqual({ ok: 0, failed: 0 });
  });

  it("applies the file as it is now: 200 with the outcome, clients see the new surface, /status and /metrics follow", async () => {
    const before = (await status()).config.hash;
    writeFileSync(file, JSON.stringify(config({ naming: { prefix: "never" } })));
    const applied = await reload(bearer);
    expect(applied.status).toBe(200);
    expect(applied.body).toMatchObject({ ok: true, trigger: "admin", errors: [] });
    expect(await waitFor(() => client.notifications.includes("notifications/tools/list_changed"), 5000)).toBe(true);
    expect(await toolNames()).toContain("whoami");
    expect(await toolNames()).not.toContain("hub__whoami");
    const report = await status();
    expect(report).toMatchObject({ configSynchronized: 1, lastReload: { ok: true, trigger: "admin" }, reloads: { ok: 1, failed: 0 } });
    expect(report.config.hash).not.toBe(before);
    expect(await synchronizedMetric()).toBe(1);
    expect(proxy.stderr()).toContain('"trigger":"admin"');
  });

  it("answers 409 with the config paths of a bad config, keeps the last good one serving, and recovers", async () => {
    writeFileSync(file, JSON.stringify({ ...config({ naming: { prefix: "never" } }), backends: { hub: { transport: "stdio" } } }));
    const refused = await reload(bearer);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ ok: false, trigger: "admin" });
    expect((refused.body.errors as Array<{ path: string }>).some((e) => e.path.startsWith("backends.hub"))).toBe(true);
    expect(await toolNames()).toContain("whoami");
    expect(await status()).toMatchObject({ configSynchronized: 0, lastReload: { ok: false }, reloads: { ok: 1, failed: 1 } });
    expect(await synchronizedMetric()).toBe(0);

    writeFileSync(file, JSON.stringify(config()));
    expect((await reload(bearer)).status).toBe(200);
    expect(await waitFor(async () => (await toolNames()).includes("hub__whoami"), 5000)).toBe(true);
    expect(await status()).toMatchObject({ configSynchronized: 1, reloads: { ok: 2, failed: 1 } });
    expect(await synchronizedMetric()).toBe(1);
  });
});
