import { rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnCli } from "../support/cli.js";
import { connectClient, recorderBackend, startHttpRecorder, textOf, waitFor } from "../support/mcp-clients.js";
import { type ProxyProcess, startProxyProcess, writeConfig } from "../support/proxy-process.js";

// Health, readiness, status and metrics on every HTTP binding, before (never behind) its
// bearer check; /status, /metrics and /admin/* only as `admin.exposure` allows, and never a
// secret in any of them. The "remote" client is this machine reached at its own non-loopback
// address (192.0.2.2 here), so the gateway sees a non-loopback remote address.

const CLIENT_TOKEN = "client-bearer-7f3a9c21e5";
const BACKEND_SECRET = "backend-header-secret-d41d8cd9";
const ENV_SECRET = "child-env-secret-0cc175b9";
const ADMIN_TOKEN = "admin-token-92eb5ffee6ae";

/** This machine's first non-loopback IPv4 address, or undefined (the remote-client checks then skip). */
async function externalAddress(): Promise<string | undefined> {
  const { networkInterfaces } = await import("node:os");
  return Object.values(networkInterfaces())
    .flat()
    .find((a) => a && a.family === "IPv4" && !a.internal)?.address;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string; headers: Headers }> {
  const response = await fetch(url, { headers, signal: AbortSignal.timeout(10_000) });
  return { status: response.status, text: await response.text(), headers: response.headers };
}

async function post(url: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string; headers: Headers }> {
  const response = await fetch(url, { method: "POST", headers, signal: AbortSignal.timeout(10_000) });
  return { status: response.status, text: await response.text(), headers: response.headers };
}

/** One sample of a metric in exposition text, by name and exact label set (as printed). */
function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe("health, status and metrics on a public HTTP binding with bearer auth", () => {
  let proxy: ProxyProcess;
  let beta: { url: string; stop(): void };
  let local: string;
  let remote: string | undefined;

  beforeAll(async () => {
    beta = await startHttpRecorder("beta");
    proxy = await startProxyProcess(
      {
        version: 1,
        backends: {
          alpha: recorderBackend("alpha", { required: true, env: { API_TOKEN: { env: "OPS_ENV_SECRET" } } }),
          beta: { transport: "http", url: beta.url, headers: { Authorization: { env: "OPS_BACKEND_SECRET" } }, session: "shared" },
        },
        auth: { type: "bearer", tokens: [{ token: { env: "OPS_CLIENT_TOKEN" }, subject: "alice" }] },
        bindings: [{ transport: "http", host: "0.0.0.0", port: 0 }],
        logging: { level: "warn" },
      },
      { env: { OPS_CLIENT_TOKEN: CLIENT_TOKEN, OPS_BACKEND_SECRET: `Bearer ${BACKEND_SECRET}`, OPS_ENV_SECRET: ENV_SECRET } },
    );
    const port = new URL(proxy.url!).port;
    local = `http://127.0.0.1:${port}`;
    const address = await externalAddress();
    remote = address ? `http://${address}:${port}` : undefined;
  }, 30_000);

  afterAll(async () => {
    await proxy?.stop();
    beta?.stop();
  });

  it("answers /healthz and /readyz without credentials, from loopback and from elsewhere", async () => {
    for (const base of [local, ...(remote ? [remote] : [])]) {
      const health = await get(`${base}/healthz`);
      expect(health.status).toBe(200);
      expect(JSON.parse(health.text)).toEqual({ status: "ok" });
      expect(health.headers.get("cache-control")).toBe("no-store");
    }
    // The required backend is probed at start; readiness follows once it has started.
    expect(await waitFor(async () => (await get(`${local}/readyz`)).status === 200, 20_000, 200)).toBe(true);
    expect(JSON.parse((await get(`${local}/readyz`)).text)).toEqual({ ready: true });
    // The MCP endpoint itself still wants the token.
    expect((await post(`${local}/mcp`, { "content-type": "application/json" })).status).toBe(401);
  });

  it("shows the config, the start as the last reload and each backend on /status, to loopback clients only", async () => {
    const status = await get(`${local}/status`);
    expect(status.status).toBe(200);
    expect(status.headers.get("content-type")).toBe("application/json");
    const report = JSON.parse(status.text);
    expect(report).toMatchObject({
      service: "mcp-portcullis",
      phase: "running",
      configSynchronized: 1,
      lastReload: { ok: true, trigger: "start", errors: [] },
      reloads: { ok: 0, failed: 0 },
    });
    expect(report.config.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(report.config.file).toMatch(/mcp-proxy\.config\.json$/);
    expect(report.backends.map((b: { name: string }) => b.name)).toEqual(["alpha", "beta"]);
    expect(report.backends[0]).toMatchObject({ name: "alpha", transport: "stdio", required: true, circuit: "closed" });
    expect(report.backends[1]).toMatchObject({ name: "beta", transport: "http", session: "shared", required: false });

    if (!remote) return;
    for (const path of ["/status", "/metrics", "/admin/reload", "/admin/anything"]) {
      const hidden = await get(`${remote}${path}`);
      expect(hidden.status, path).toBe(404);
      expect(JSON.parse(hidden.text)).toMatchObject({ error: { code: -32600, message: `Not found: ${path}`, data: { reason: "NOT_FOUND" } } });
    }
  });

  it("counts requests, backends, sessions and audit lines in /metrics, and /status follows", async () => {
    const c = await connectClient("http", { url: `${local}/mcp` }, { token: CLIENT_TOKEN });
    try {
      expect(textOf(await c.client.callTool({ name: "alpha__whoami", arguments: {} }))).toBe("alpha");
      expect(textOf(await c.client.callTool({ name: "beta__whoami", arguments: {} }))).toBe("beta");
      // Tracing is off unless configured: nothing is added to what the backend receives.
      expect(JSON.parse(textOf(await c.client.callTool({ name: "beta__trace", arguments: {} })))).toEqual({ header: null, meta: null });
      await c.client.callTool({ name: "alpha__nope", arguments: {} }).catch(() => undefined);

      const metrics = await get(`${local}/metrics`);
      expect(metrics.status).toBe(200);
      expect(metrics.headers.get("content-type")).toContain("text/plain");
      const text = metrics.text;
      expect(sample(text, 'mcp_proxy_requests_total{method="tools/call",backend="alpha",decision="allow",status="ok"}')).toBe(1);
      expect(sample(text, 'mcp_proxy_requests_total{method="tools/call",backend="beta",decision="allow",status="ok"}')).toBe(2);
      expect(sample(text, 'mcp_proxy_requests_total{method="tools/call",backend="",decision="allow",status="error"}')).toBe(1);
      expect(sample(text, 'mcp_proxy_request_duration_seconds_count{method="tools/call",backend="alpha"}')).toBe(1);
      expect(sample(text, 'mcp_proxy_upstream_duration_seconds_count{backend="beta",method="tools/call",status="ok"}')).toBe(2);
      expect(sample(text, 'mcp_proxy_backend_up{backend="alpha"}')).toBe(1);
      expect(sample(text, 'mcp_proxy_backend_up{backend="beta"}')).toBe(1);
      expect(sample(text, 'mcp_proxy_backend_restarts_total{backend="alpha"}')).toBe(0);
      expect(sample(text, "mcp_proxy_client_sessions")).toBe(1);
      expect(sample(text, 'mcp_proxy_reloads_total{result="ok"}')).toBe(0);
      expect(sample(text, 'mcp_proxy_reloads_total{result="failed"}')).toBe(0);
      expect(sample(text, "mcp_proxy_config_synchronized")).toBe(1);
      expect(sample(text, "mcp_proxy_ready")).toBe(1);
      expect(sample(text, "mcp_proxy_audit_lines_dropped_total")).toBe(0);
      // Audit lines are written in batches: wait for the four requests' lines.
      expect(await waitFor(async () => (sample((await get(`${local}/metrics`)).text, "mcp_proxy_audit_lines_written_total") ?? 0) >= 4)).toBe(true);

      const report = JSON.parse((await get(`${local}/status`)).text);
      expect(report.clientSessions).toBe(1);
      const alpha = report.backends.find((b: { name: string }) => b.name === "alpha");
      expect(alpha).toMatchObject({ state: "up", restarts: 0, lastError: null });
      expect(alpha.upstreamSessions).toBeGreaterThanOrEqual(1);
      expect(report.audit.written).toBeGreaterThanOrEqual(4);
    } finally {
      await c.terminate();
    }
  });

  it("never shows a secret: not the client's bearer token, a backend header or a child's environment", async () => {
    const texts = [
      (await get(`${local}/status`)).text,
      (await get(`${local}/status`, { accept: "text/html" })).text,
      (await get(`${local}/metrics`)).text,
      (await get(`${local}/readyz`)).text,
    ];
    expect(texts[1]).toContain("<!doctype html>");
    for (const text of texts) {
      for (const secret of [CLIENT_TOKEN, BACKEND_SECRET, ENV_SECRET]) expect(text).not.toContain(secret);
    }
  });

  it("keeps POST /admin/reload off by default (404)", async () => {
    const reload = await post(`${local}/admin/reload`, { authorization: `Bearer ${CLIENT_TOKEN}` });
    expect(reload.status).toBe(404);
    expect(JSON.parse(reload.text)).toMatchObject({ error: { data: { reason: "NOT_FOUND" } } });
  });
});

describe('admin.exposure "token", a separate admin listener, and reload turned on', () => {
  let proxy: ProxyProcess;
  let local: string;
  let adminBase: string;

  beforeAll(async () => {
    const adminPort = await freePort();
    adminBase = `http://127.0.0.1:${adminPort}`;
    proxy = await startProxyProcess(
      {
        version: 1,
        backends: { alpha: recorderBackend("alpha") },
        bindings: [{ transport: "http", port: 0 }],
        admin: { exposure: "token", token: { env: "OPS_ADMIN_TOKEN" }, reload: true, listen: { port: adminPort } },
        logging: { level: "warn" },
      },
      { env: { OPS_ADMIN_TOKEN: ADMIN_TOKEN } },
    );
    local = new URL(proxy.url!).origin;
  }, 30_000);

  afterAll(async () => {
    await proxy?.stop();
  });

  it("asks for the admin token on /status and /metrics, even from loopback, and leaves the probes open", async () => {
    for (const path of ["/status", "/metrics"]) {
      const wrong: Array<Record<string, string>> = [{}, { authorization: "Bearer wrong-token-000000000000" }, { authorization: `Bearer ${ADMIN_TOKEN}x` }];
      for (const headers of wrong) {
        const refused = await get(`${local}${path}`, headers);
        expect(refused.status, path).toBe(401);
        expect(refused.headers.get("www-authenticate")).toBe('Bearer realm="mcp-proxy-admin"');
        expect(JSON.parse(refused.text)).toMatchObject({ error: { code: -32019, data: { reason: "ADMIN_UNAUTHENTICATED" } } });
      }
      expect((await get(`${local}${path}`, { authorization: `Bearer ${ADMIN_TOKEN}` })).status).toBe(200);
    }
    expect((await get(`${local}/healthz`)).status).toBe(200);
    expect((await get(`${local}/readyz`)).status).toBe(200);
    expect((await get(`${local}/status`, { authorization: `Bearer ${ADMIN_TOKEN}` })).text).not.toContain(ADMIN_TOKEN);
  });

  it("serves the same endpoints, and nothing else, on admin.listen", async () => {
    expect((await get(`${adminBase}/healthz`)).status).toBe(200);
    expect((await get(`${adminBase}/status`)).status).toBe(401);
    const status = await get(`${adminBase}/status`, { authorization: `Bearer ${ADMIN_TOKEN}` });
    expect(JSON.parse(status.text).backends[0].name).toBe("alpha");
    const mcp = await post(`${adminBase}/mcp`, { "content-type": "application/json" });
    expect(mcp.status).toBe(404);
    expect(JSON.parse(mcp.text)).toMatchObject({ error: { data: { reason: "NOT_FOUND" } } });
  });

  it("takes the admin token for POST /admin/reload, here and on admin.listen, and reloads (test/integration/admin-reload.test.ts covers the outcomes)", async () => {
    expect((await post(`${local}/admin/reload`)).status).toBe(401);
    expect((await get(`${local}/admin/reload`, { authorization: `Bearer ${ADMIN_TOKEN}` })).status).toBe(405);
    for (const origin of [local, adminBase]) {
      const reload = await post(`${origin}/admin/reload`, { authorization: `Bearer ${ADMIN_TOKEN}` });
      expect(reload.status, origin).toBe(200);
      expect(JSON.parse(reload.text)).toMatchObject({ ok: true, trigger: "admin", errors: [] });
    }
  });
});

describe("readiness and a required backend that cannot start", () => {
  let proxy: ProxyProcess;
  let local: string;
  const downFile = join(tmpdir(), `ops-down-${process.pid}-${Date.now()}`);

  beforeAll(async () => {
    writeFileSync(downFile, "down");
    proxy = await startProxyProcess({
      version: 1,
      backends: {
        alpha: recorderBackend("alpha", { required: true, env: { RECORDER_DOWN_WHILE: downFile } }),
        spare: recorderBackend("spare"),
      },
      bindings: [{ transport: "http", port: 0 }],
      logging: { level: "error" },
    });
    local = new URL(proxy.url!).origin;
  }, 30_000);

  afterAll(async () => {
    rmSync(downFile, { force: true });
    await proxy?.stop();
  });

  it("answers /readyz 503 naming the backend until it has started, then 200", async () => {
    const notReady = await get(`${local}/readyz`);
    expect(notReady.status).toBe(503);
    expect(JSON.parse(notReady.text)).toEqual({ ready: false, reasons: ['required backend "alpha" has not started yet'] });
    // The probe keeps retrying with backoff; each failure is a restart with its reason.
    expect(await waitFor(async () => JSON.parse((await get(`${local}/status`)).text).backends[0].restarts >= 1, 15_000, 100)).toBe(true);
    const report = JSON.parse((await get(`${local}/status`)).text);
    expect(report).toMatchObject({ ready: false, notReady: ['required backend "alpha" has not started yet'] });
    expect(report.backends[0]).toMatchObject({ name: "alpha", state: "down" });
    expect(report.backends[0].lastError).toEqual(expect.any(String));
    expect(report.backends[1]).toMatchObject({ name: "spare", state: "idle", required: false });
    expect(sample((await get(`${local}/metrics`)).text, "mcp_proxy_ready")).toBe(0);

    rmSync(downFile);
    expect(await waitFor(async () => (await get(`${local}/readyz`)).status === 200, 20_000, 200)).toBe(true);
    expect(JSON.parse((await get(`${local}/status`)).text).backends[0].lastUpAt).toEqual(expect.any(String));
  }, 45_000);
});

describe("validating admin and tracing", () => {
  it("refuses a token exposure without a token, an admin port taken by a binding and a tracing endpoint that is not http(s)", () => {
    const file = writeConfig({
      version: 1,
      backends: { alpha: recorderBackend("alpha") },
      bindings: [{ transport: "http", port: 18_555 }],
      admin: { exposure: "token", listen: { port: 18_555 } },
      tracing: { otlpEndpoint: "ftp://collector/v1/traces" },
    });
    const result = spawnCli(["validate", "--config", file, "--format", "json"]);
    expect(result.code).toBe(1);
    const paths = JSON.parse(result.stdout).errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(["admin.listen.port", "admin.token", "tracing.otlpEndpoint"]);
  });
});
