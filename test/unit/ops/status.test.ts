import { describe, expect, it } from "vitest";
import { validateConfig, type ResolvedConfig } from "../../../src/config/index.js";
import { BackendHealth } from "../../../src/runtime/ops/backend-health.js";
import { configHash } from "../../../src/runtime/reload/config-digest.js";
import { renderStatusPage } from "../../../src/runtime/ops/status-page.js";
import { notReadyReasons, type StatusSources, statusReport } from "../../../src/runtime/ops/status-report.js";
import { RuntimeStatus } from "../../../src/runtime/runtime-status.js";

const raw = (extra: Record<string, unknown> = {}) => ({
  version: 1,
  backends: {
    crm: { transport: "http", url: "https://crm.example/mcp", headers: { Authorization: { env: "CRM_TOKEN" } }, required: true },
    ...extra,
  },
});

function resolved(env: Record<string, string>, extra?: Record<string, unknown>): ResolvedConfig {
  const { config, issues } = validateConfig(raw(extra), { configDir: "/", env });
  expect(issues).toEqual([]);
  return config!;
}

function sources(config: ResolvedConfig, status = new RuntimeStatus(), health = new BackendHealth()): StatusSources {
  return { version: "9.9.9", status, health, config: () => config, clientSessions: () => 0, audit: () => ({ enabled: true, written: 0, dropped: 0 }) };
}

describe("the config hash", () => {
  it("depends on where a secret comes from, never on its value", () => {
    const a = configHash(resolved({ CRM_TOKEN: "Bearer first-value" }));
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(configHash(resolved({ CRM_TOKEN: "Bearer second-value" }))).toBe(a);
    expect(configHash(resolved({ CRM_TOKEN: "x-value" }, { mail: { transport: "http", url: "https://mail.example/mcp" } }))).not.toBe(a);
  });
});

describe("readiness", () => {
  it("waits for a config, for required backends to start once, and fails while draining or while one is down", () => {
    const config = resolved({ CRM_TOKEN: "Bearer t0ken-value" });
    const status = new RuntimeStatus();
    const health = new BackendHealth();
    const s = sources(config, status, health);
    expect(notReadyReasons(s)).toEqual(["no config is serving yet", 'required backend "crm" has not started yet']);
    status.served({ hash: "h", file: "/f", loadedAt: "t" }, { ok: true, at: "t", trigger: "start", durationMs: 1, errors: [] });
    health.moved("crm", "new", "up");
    health.moved("crm", "up", "closed");
    expect(notReadyReasons(s)).toEqual([]);
    health.moved("crm", "new", "down", "connection refused");
    expect(notReadyReasons(s)).toEqual(['required backend "crm" is down']);
    health.moved("crm", "down", "closed");
    status.draining();
    expect(notReadyReasons(s)).toEqual(["the gateway is draining"]);
  });
});

describe("the status report and page", () => {
  it("show a failed reload's errors escaped, and a backend's error without its credentials", () => {
    const config = resolved({ CRM_TOKEN: "Bearer s3cret-crm-token" });
    const status = new RuntimeStatus();
    const health = new BackendHealth();
    status.served({ hash: "abc", file: "/etc/mcp/<b>config</b>.ts", loadedAt: "t0" }, { ok: true, at: "t0", trigger: "start", durationMs: 3, errors: [] });
    status.failed({ ok: false, at: "t1", trigger: "file", durationMs: 4, errors: [{ path: "backends.crm.url", message: 'must use http:// (got "<script>alert(1)</script>")' }] });
    health.moved("crm", "new", "down", "HTTP 401 for Bearer s3cret-crm-token");
    const report = statusReport(sources(config, status, health));
    expect(report).toMatchObject({ configSynchronized: 0, reloads: { ok: 0, failed: 1 }, lastReload: { ok: false, trigger: "file" } });
    expect(report.backends[0]).toMatchObject({ name: "crm", state: "down", restarts: 1, lastError: "HTTP 401 for [redacted]", circuit: "closed" });
    const html = renderStatusPage(report);
    expect(html).not.toContain("<script>");
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).toContain("/etc/mcp/&lt;b&gt;config&lt;/b&gt;.ts");
    expect(html).toContain('data-ok="false"');
    for (const text of [JSON.stringify(report), html]) expect(text).not.toContain("s3cret-crm-token");
  });
});
