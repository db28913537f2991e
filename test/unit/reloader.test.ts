import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { ConfigError, type LoadedConfig, validateConfig } from "../../src/config/index.js";
import { createLogger } from "../../src/runtime/logger.js";
import { backendDigest, configHash } from "../../src/runtime/reload/config-digest.js";
import { Reloader } from "../../src/runtime/reload/reloader.js";
import { RuntimeStatus } from "../../src/runtime/runtime-status.js";

// The reloader's contract, without files or processes: one reload at a time, any number of
// triggers during one queue exactly one more, a failure changes nothing and names its paths.

const BACKENDS = { crm: { transport: "http", url: "http://127.0.0.1:1/mcp" } };

function resolved(value: Record<string, unknown>, env: Record<string, string> = {}) {
  const result = validateConfig({ version: 1, backends: BACKENDS, ...value }, { configDir: "/tmp", env });
  if (!result.config) throw new ConfigError("/tmp/mcp-proxy.config.json", result.issues);
  return result.config;
}

function harness() {
  const lines: string[] = [];
  const logger = createLogger("info", new Writable({ write: (chunk, _e, done) => (lines.push(String(chunk)), done()) }));
  const status = new RuntimeStatus();
  const applied: string[] = [];
  let next: () => LoadedConfig = () => {
    throw new Error("no config");
  };
  const reloader = new Reloader(
    {
      load: async () => next(),
      prepare: (loaded) => loaded.config,
      apply: async (config) => {
        applied.push(config.naming.separator);
        await new Promise((resolve) => setTimeout(resolve, 30));
      },
      follow: async () => undefined,
    },
    status,
    logger,
  );
  const serve = (value: Record<string, unknown>) => (next = () => ({ file: "/tmp/mcp-proxy.config.json", config: resolved(value), dependencies: [], authDeclared: false }));
  const fail = (value: Record<string, unknown>) =>
    (next = () => {
      const result = validateConfig({ version: 1, backends: BACKENDS, ...value }, { configDir: "/tmp" });
      throw new ConfigError("/tmp/mcp-proxy.config.json", result.issues);
    });
  return { reloader, status, applied, serve, fail, lines };
}

describe("Reloader", () => {
  it("runs one reload at a time; triggers during one queue exactly one more, which reads the latest config", async () => {
    const h = harness();
    h.serve({ naming: { separator: "_" } });
    const first = h.reloader.reload("file");
    h.serve({ naming: { separator: "." } });
    const queued = [h.reloader.reload("file"), h.reloader.reload("SIGHUP"), h.reloader.reload("admin")];
    const results = await Promise.all([first, ...queued]);
    expect(h.applied).toEqual(["_", "."]);
    expect(results[1]).toBe(results[3]);
    expect(results[1]!.trigger).toBe("file,SIGHUP,admin");
    expect(h.status.reloadsOk).toBe(2);
    expect(h.status.configSynchronized).toBe(1);
  });

  it("changes nothing on a bad config, records its paths, and recovers on the next good one", async () => {
    const h = harness();
    h.fail({ naming: { separator: "not allowed!" } });
    const bad = await h.reloader.reload("file");
    expect(bad.ok).toBe(false);
    expect(bad.errors.map((e) => e.path)).toEqual(["naming.separator"]);
    expect(h.applied).toEqual([]);
    expect(h.status.configSynchronized).toBe(0);
    expect(h.lines.join("")).toContain("reload failed: naming.separator:");
    h.serve({});
    expect((await h.reloader.reload("file")).ok).toBe(true);
    expect(h.status.configSynchronized).toBe(1);
    expect(h.status.serving?.hash).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("config digests", () => {
  const backend = (token: string) => resolved({ backends: { crm: { transport: "http", url: "http://127.0.0.1:1/mcp", headers: { Authorization: { env: "CRM_TOKEN" } } } } }, { CRM_TOKEN: token });

  it("the shown hash ignores secret values; the private backend digest does not", () => {
    const a = backend("token-one");
    const b = backend("token-two");
    expect(configHash(a)).toBe(configHash(b));
    expect(backendDigest(a.backends.crm!)).not.toBe(backendDigest(b.backends.crm!));
  });

  it("a rename of a backend's namespace does not change its digest (nothing restarts)", () => {
    const plain = resolved({ backends: { crm: { transport: "http", url: "http://127.0.0.1:1/mcp" } } });
    const renamed = resolved({ backends: { crm: { transport: "http", url: "http://127.0.0.1:1/mcp", namespace: "sales" } } });
    expect(backendDigest(plain.backends.crm!)).toBe(backendDigest(renamed.backends.crm!));
    expect(configHash(plain)).not.toBe(configHash(renamed));
  });
});
