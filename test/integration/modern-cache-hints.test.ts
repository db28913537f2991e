// What a modern client may cache: 2026-07-28 backends (the SDK v2 server with cache hints) say
// how long each list, read and discover result stays fresh and whether it is per caller; the
// gateway's merged answers promise no more than the least fresh backend that contributes, and
// are private when any backend or the config makes them so.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../support/cli.js";
import { connectClient, SERVERS, startHttpServer } from "../support/mcp-clients.js";
import { type ProxyProcess, startProxyProcess } from "../support/proxy-process.js";
import { post } from "../support/raw-http.js";

const hint = (ttlMs: number, cacheScope: "public" | "private" = "public") => ({ ttlMs, cacheScope });
const FAST = { "tools/list": hint(60_000), "resources/list": hint(30_000), "server/discover": hint(45_000), "resources/read": hint(20_000) };
// Its reads carry no hint: the SDK's default, ttlMs 0 and private.
const SLOW = { "tools/list": hint(10_000, "private"), "resources/list": hint(50_000), "server/discover": hint(15_000) };
const modernBackend = (name: string, hints: object) => ({ transport: "stdio", command: process.execPath, args: [SERVERS.modern, "stdio", name, JSON.stringify(hints)], era: "modern" });

const META = { "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientInfo": { name: "raw", version: "1" }, "io.modelcontextprotocol/clientCapabilities": {} };
async function ask(proxy: ProxyProcess, method: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  const name: Record<string, string> = typeof params.uri === "string" ? { "mcp-name": params.uri } : {};
  const reply = (await post(proxy.url!, { jsonrpc: "2.0", id: 1, method, params: { ...params, _meta: META } }, { "mcp-protocol-version": "2026-07-28", "mcp-method": method, ...name })).json();
  expect(reply.error).toBeUndefined();
  return reply.result;
}
/** Counted down from the backend's promise, never beyond it; the test's own round trips take a little. */
const within = (ttlMs: number) => expect.toSatisfy((v: unknown) => typeof v === "number" && v <= ttlMs && v > ttlMs - 5_000);

describe("modern backends only, no per-caller config", () => {
  let proxy: ProxyProcess;
  beforeAll(async () => {
    proxy = await startProxyProcess({
      version: 1,
      backends: { fast: modernBackend("fast", FAST), slow: modernBackend("slow", SLOW) },
      bindings: [{ transport: "http", port: 0 }],
      cache: { rules: [{ name: "reads", match: { methods: ["resources/read"] }, ttlMs: 60_000 }] },
      logging: { level: "warn" },
      audit: { enabled: false },
    });
  }, 30_000);
  afterAll(async () => proxy?.stop());

  it("stamps each list with the shortest promise of its backends, private when one of them says so", async () => {
    expect(await ask(proxy, "tools/list")).toMatchObject({ ttlMs: within(10_000), cacheScope: "private" });
    expect(await ask(proxy, "resources/list")).toMatchObject({ ttlMs: within(30_000), cacheScope: "public" });
    expect(await ask(proxy, "server/discover")).toMatchObject({ ttlMs: within(15_000), cacheScope: "public" });
  });

  it("passes a read's promise from the backend that owns it, and a cached read's counts down", async () => {
    const first = await ask(proxy, "resources/read", { uri: "modern://fast/info" });
    expect(first).toMatchObject({ contents: [{ text: "fast info" }], ttlMs: within(20_000), cacheScope: "public" });
    await new Promise((resolve) => setTimeout(resolve, 400));
    const hit = await ask(proxy, "resources/read", { uri: "modern://fast/info" });
    expect(hit.ttlMs).toBeLessThanOrEqual((first.ttlMs as number) - 300);
    expect(await ask(proxy, "resources/read", { uri: "modern://slow/info" })).toMatchObject({ ttlMs: 0, cacheScope: "private" });
  });
});

describe("next to a legacy backend and a filter", () => {
  let proxy: ProxyProcess;
  let legacyBackend: { url: string; stop(): void };
  beforeAll(async () => {
    legacyBackend = await startHttpServer(`${REPO_ROOT}test/support/servers/header-recorder-server.mjs`, []);
    proxy = await startProxyProcess({
      version: 1,
      backends: {
        fast: modernBackend("fast", FAST),
        slow: modernBackend("slow", SLOW),
        // A legacy server with tools only (no resources): it has no say on the resource lists.
        old: { transport: "http", url: legacyBackend.url },
      },
      bindings: [{ transport: "http", port: 0 }],
      filters: [{ name: "no-keys", redact: [{ pattern: "sk-live-[A-Za-z0-9]+", replacement: "[KEY]" }] }],
      logging: { level: "warn" },
      audit: { enabled: false },
    });
  }, 30_000);
  afterAll(async () => {
    await proxy?.stop();
    legacyBackend?.stop();
  });

  it("promises nothing where the legacy backend contributes, and is private because of the filter", async () => {
    expect(await ask(proxy, "tools/list")).toMatchObject({ ttlMs: 0, cacheScope: "private" });
    expect(await ask(proxy, "server/discover")).toMatchObject({ ttlMs: 0, cacheScope: "private" });
    expect(await ask(proxy, "resources/list")).toMatchObject({ ttlMs: within(30_000), cacheScope: "private" });
  });

  it("gives a legacy client its lists without cache fields", async () => {
    const legacy = await connectClient("http", { url: proxy.url! });
    try {
      const listed = (await legacy.client.listTools()) as Record<string, unknown>;
      expect(listed).not.toHaveProperty("ttlMs");
      expect(listed).not.toHaveProperty("cacheScope");
    } finally {
      await legacy.close();
    }
  });
});
