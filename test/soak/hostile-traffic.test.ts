import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectClient, recorderBackend, SERVERS, type TestClient, textOf } from "../support/mcp-clients.js";
import { type ProxyProcess, startProxyProcess } from "../support/proxy-process.js";
import { MIB, openSession, post, initializeRequest, initialized, requestWithoutReading, rssOf, type UnreadResponse } from "../support/raw-http.js";

// The soak test of issue 8, run once in CI (`npm run test:soak`, not part of `npm test`):
// for HOSTILE_MS some clients send oversized batches, deeply nested arguments, open streams they
// never read while a backend floods them, and bare SSE opens that never initialize; meanwhile
// normal clients call as usual. The normal clients must lose nothing, and the proxy's RSS
// (VmRSS, the proxy process alone) must stay under RSS_BOUND, the bound the README documents.
const HOSTILE_MS = 45_000;
const RSS_BOUND = 400 * MIB;
const FLOOD = { count: 20_000, bytes: 10_000 };

let proxy: ProxyProcess;
let pid: number;
let peakRss = 0;
let sampler: NodeJS.Timeout;

beforeAll(async () => {
  proxy = await startProxyProcess({
    version: 1,
    backends: {
      alpha: recorderBackend("alpha"),
      flood: { transport: "stdio", command: process.execPath, args: [SERVERS.flood] },
    },
    bindings: [{ transport: "http", port: 0, legacySse: true }],
    // The documented defaults, except initializeWaitMs which the test harness raises otherwise.
    limits: { initializeWaitMs: 5000 },
    logging: { level: "warn" },
  });
  pid = proxy.child.pid!;
  sampler = setInterval(() => (peakRss = Math.max(peakRss, rssOf(pid))), 100);
  // SOAK_TRACE=1 prints the RSS every 3 s, to see whether it levels off or keeps growing.
  if (process.env.SOAK_TRACE) setInterval(() => console.log(`rss ${Math.round(rssOf(pid) / MIB)} MiB`), 3000).unref();
}, 30_000);

afterAll(async () => {
  clearInterval(sampler);
  await proxy?.stop();
});

const until = (deadline: number) => Date.now() < deadline;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A normal client: calls in a loop until the deadline; every answer must be the right one. */
async function callNormally(c: TestClient, name: string, deadline: number): Promise<{ calls: number; wrong: string[] }> {
  let calls = 0;
  const wrong: string[] = [];
  while (until(deadline)) {
    const query = `${name}-${calls}`;
    try {
      const text = textOf(await c.client.callTool({ name: "alpha__search", arguments: { query } }, { timeout: 30_000 }));
      if (text !== `alpha: ${query}`) wrong.push(`${query} got ${text}`);
    } catch (error) {
      wrong.push(`${query} failed: ${(error as Error).message}`);
    }
    calls++;
    await pause(20);
  }
  return { calls, wrong };
}

async function batches(deadline: number): Promise<void> {
  const headers = await openSession(proxy.url!);
  const huge = JSON.stringify(Array.from({ length: 25_000 }, (_, i) => ({ jsonrpc: "2.0", id: i, method: "tools/list" })));
  const full = Array.from({ length: 100 }, (_, i) => ({ jsonrpc: "2.0", id: `b${i}`, method: "tools/list" }));
  while (until(deadline)) {
    await post(proxy.url!, huge, headers).catch(() => undefined);
    await post(proxy.url!, full, headers).catch(() => undefined);
  }
}

async function deepNesting(deadline: number): Promise<void> {
  const headers = await openSession(proxy.url!);
  const deep = `${'{"a":'.repeat(10_000)}1${"}".repeat(10_000)}`;
  for (let id = 0; until(deadline); id++) {
    const body = `{"jsonrpc":"2.0","id":${id},"method":"tools/call","params":{"name":"alpha__search","arguments":{"query":"x","deep":${deep}}}}`;
    await post(proxy.url!, body, headers).catch(() => undefined);
    await pause(50);
  }
}

async function slowReaders(deadline: number): Promise<void> {
  const headers = await openSession(proxy.url!);
  const stalled: UnreadResponse[] = [];
  for (let id = 0; until(deadline); id++) {
    const flood = { jsonrpc: "2.0", id, method: "tools/call", params: { name: "flood__flood", arguments: FLOOD, _meta: { progressToken: id } } };
    stalled.push(await requestWithoutReading(proxy.url!, { headers, body: flood }));
    if (id % 3 === 0) {
      const stream = await requestWithoutReading(proxy.sseUrl!, { method: "GET", headers: { accept: "text/event-stream" }, readFirst: 20 });
      stalled.push(stream);
      const endpoint = /data: (\S+)/.exec(stream.first)?.[1];
      if (endpoint) {
        const messageUrl = new URL(endpoint, proxy.url).toString();
        await post(messageUrl, initializeRequest());
        await stream.readUntil('"id":0', 20_000).catch(() => undefined);
        await post(messageUrl, initialized);
        await post(messageUrl, { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "flood__flood", arguments: FLOOD, _meta: { progressToken: 1 } } });
      }
    }
    await pause(3000);
  }
  for (const s of stalled) s.destroy();
}

async function bareSseOpens(deadline: number): Promise<void> {
  const open: UnreadResponse[] = [];
  while (until(deadline)) {
    const stream = await requestWithoutReading(proxy.sseUrl!, { method: "GET", headers: { accept: "text/event-stream" } }).catch(() => undefined);
    if (stream) open.push(stream);
    await pause(25);
  }
  for (const s of open) s.destroy();
}

describe("hostile traffic beside normal clients", () => {
  it(`loses no normal call and keeps the proxy's RSS under ${RSS_BOUND / MIB} MiB`, async () => {
    const normal = await Promise.all([
      connectClient("http", { url: proxy.url }, { name: "normal-http-1" }),
      connectClient("http", { url: proxy.url }, { name: "normal-http-2" }),
      connectClient("sse", { sseUrl: proxy.sseUrl }, { name: "normal-sse-1" }),
      connectClient("sse", { sseUrl: proxy.sseUrl }, { name: "normal-sse-2" }),
    ]);
    try {
      const deadline = Date.now() + HOSTILE_MS;
      const [results] = await Promise.all([
        Promise.all(normal.map((c, i) => callNormally(c, `n${i}`, deadline))),
        batches(deadline),
        deepNesting(deadline),
        slowReaders(deadline),
        bareSseOpens(deadline),
      ]);
      for (const r of results) {
        expect(r.wrong).toEqual([]);
        expect(r.calls).toBeGreaterThan(20);
      }
      console.log(`soak: ${results.map((r) => r.calls).join(" + ")} normal calls, peak proxy RSS ${Math.round(peakRss / MIB)} MiB`);
      expect(peakRss).toBeLessThan(RSS_BOUND);
      expect(proxy.stderr()).toMatch(/"reason":"SLOW_CONSUMER"/);
      expect(proxy.stderr()).toMatch(/"reason":"TOO_MANY_UNINITIALIZED_SESSIONS"/);
    } finally {
      await Promise.all(normal.map((c) => c.close()));
    }
  });
});
