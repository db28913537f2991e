import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openRateLimitStore } from "../../src/runtime/rate-limit-store.js";
import { connectClient, recorderBackend, refusal, type TestClient, textOf, waitFor } from "../support/mcp-clients.js";
import { type ProxyProcess, startProxyProcess } from "../support/proxy-process.js";
import { type RedisServer, startRedisServer } from "../support/redis-server.js";

const MINUTE = 60_000;
let redis: RedisServer;
let first: ProxyProcess;
let second: ProxyProcess;
const clients: TestClient[] = [];

/** One config for both replicas: auth none, so every caller is the same identity. */
const replicaConfig = (url: string) => ({
  version: 1,
  backends: { crm: recorderBackend("crm") },
  bindings: [{ transport: "http", port: 0 }],
  limits: {
    store: { type: "redis", url },
    rateLimits: [
      { name: "shared-hundred", per: "global", requests: 100, windowMs: MINUTE, match: { names: ["crm__search"] } },
      { name: "per-caller", requests: 3, windowMs: MINUTE, match: { names: ["crm__whoami"] } },
      { name: "insured", requests: 5, windowMs: MINUTE, match: { names: ["crm__pid"] } },
    ],
  },
  logging: { level: "info" },
});

const connect = async (proxy: ProxyProcess) => {
  const c = await connectClient("http", proxy);
  clients.push(c);
  return c;
};

beforeAll(async () => {
  redis = await startRedisServer();
  [first, second] = await Promise.all([startProxyProcess(replicaConfig(redis.url)), startProxyProcess(replicaConfig(redis.url))]);
}, 60_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
  await Promise.all([first?.stop(), second?.stop()]);
  await redis?.stop();
});

describe("rate limits shared through Redis", () => {
  it("two proxy processes enforce one limit together (100 per minute, both hammered)", async () => {
    const hammers = [await connect(first), await connect(first), await connect(second), await connect(second)];
    let allowed = 0;
    let limited = 0;
    await Promise.all(
      hammers.map(async (c, n) => {
        for (let i = 0; i < 60; i++) {
          try {
            await c.client.callTool({ name: "crm__search", arguments: { query: `${n}-${i}` } });
            allowed++;
          } catch (error) {
            expect(error).toMatchObject({ code: -32013, data: { limit: "shared-hundred" } });
            limited++;
          }
        }
      }),
    );
    expect(allowed + limited).toBe(240);
    expect(Math.abs(allowed - 100)).toBeLessThanOrEqual(5);
  });

  it("keeps a caller limited when it re-initializes, even on the other replica", async () => {
    const a = await connect(first);
    for (let i = 0; i < 3; i++) expect(textOf(await a.client.callTool({ name: "crm__whoami", arguments: {} }))).toBe("crm");
    await a.terminate();
    const b = await connect(second);
    expect(await refusal(b.client.callTool({ name: "crm__whoami", arguments: {} }))).toMatchObject({ code: -32013, data: { reason: "RATE_LIMITED", limit: "per-caller" } });
  });

  it("falls back to the in-memory insurance limiter when Redis goes away, logs it, and keeps serving", async () => {
    const c = await connect(first);
    expect(textOf(await c.client.callTool({ name: "crm__pid", arguments: {} }))).toMatch(/^\d+$/);
    await redis.stop();
    // Calls go on, unlimited ones as before, limited ones counted by this process alone.
    expect(textOf(await c.client.callTool({ name: "crm__search", arguments: { query: "no redis" } }))).toBe("crm: no redis");
    let allowed = 0;
    for (let i = 0; i < 8; i++) {
      const started = Date.now();
      try {
        await c.client.callTool({ name: "crm__pid", arguments: {} });
        allowed++;
      } catch (error) {
        expect(error).toMatchObject({ code: -32013, data: { limit: "insured" } });
      }
      // A decision never waits for Redis to come back.
      expect(Date.now() - started).toBeLessThan(3000);
    }
    expect(allowed).toBe(5);
    expect(await waitFor(() => /Redis is unreachable; each limit is enforced by this process's in-memory insurance limiter/.test(first.stderr()), 5000)).toBe(true);
    expect(first.stderr()).not.toContain(redis.url);
  });

  it("says when the insurance limiter decides and how often (for status and metrics), and goes back to Redis when it returns", async () => {
    // Redis was stopped by the previous test: start it again on the same port.
    redis = await startRedisServer(redis.port);
    const store = openRateLimitStore({ type: "redis", url: redis.url }, pino({ level: "silent" }));
    try {
      const count = store.counter({ name: "probe", per: "global", requests: 2, windowMs: MINUTE });
      expect(await waitFor(() => !store.insuranceActive, 5000)).toBe(true);
      expect(await count("k")).toEqual({ allowed: true });
      expect(store.insuranceDecisions).toBe(0);
      await redis.stop();
      expect(await waitFor(() => store.insuranceActive, 5000)).toBe(true);
      expect(await count("k")).toEqual({ allowed: true });
      expect(await count("k")).toEqual({ allowed: true });
      expect(await count("k")).toMatchObject({ allowed: false });
      expect(store.insuranceDecisions).toBe(3);
      redis = await startRedisServer(redis.port);
      expect(await waitFor(() => !store.insuranceActive, 10_000)).toBe(true);
      // Back on Redis (a fresh one, without persistence): its count decides again.
      expect(await count("k")).toEqual({ allowed: true });
      expect(store.insuranceDecisions).toBe(3);
      // The proxy that lost Redis earlier says it is back.
      expect(await waitFor(() => /Redis reachable again/.test(first.stderr()), 10_000)).toBe(true);
    } finally {
      await store.close();
    }
  });
});
