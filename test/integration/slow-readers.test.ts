import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectClient, SERVERS, textOf } from "../support/mcp-clients.js";
import { type ProxyProcess, startProxyProcess } from "../support/proxy-process.js";
import { MIB, openSession, post, initializeRequest, initialized, requestWithoutReading, rssOf } from "../support/raw-http.js";

// A client that stops reading while a backend streams must cost the proxy a bounded amount of
// memory: its stream is cut off once more than limits.maxStreamBufferBytes waits for it, the
// cut is logged, and other clients are served meanwhile. The flood (300 MB of notifications)
// is far larger than the bound asserted on the proxy's RSS, so buffering it would show.
const FLOOD = { count: 30_000, bytes: 10_000 };
const RSS_GROWTH_BOUND = 120 * MIB;

let proxy: ProxyProcess;
let pid: number;

beforeAll(async () => {
  proxy = await startProxyProcess({
    version: 1,
    backends: { flood: { transport: "stdio", command: process.execPath, args: [SERVERS.flood] } },
    bindings: [{ transport: "http", port: 0, legacySse: true }],
    limits: { maxStreamBufferBytes: 2 * MIB },
    logging: { level: "warn" },
  });
  pid = proxy.child.pid!;
}, 30_000);

afterAll(async () => {
  await proxy?.stop();
});

/**
 * Samples the proxy's RSS until its log says a stream was cut off for `what` (or the time is
 * up); returns the highest value seen.
 */
async function peakRssUntilCut(what: string, timeoutMs = 30_000): Promise<number> {
  let peak = rssOf(pid);
  const deadline = Date.now() + timeoutMs;
  const cut = new RegExp(`"reason":"SLOW_CONSUMER".*cut off ${what}`);
  while (!cut.test(proxy.stderr())) {
    if (Date.now() > deadline) throw new Error(`no stream was cut off in ${timeoutMs} ms (peak RSS ${Math.round(peak / MIB)} MiB)`);
    peak = Math.max(peak, rssOf(pid));
    await new Promise((r) => setTimeout(r, 50));
  }
  return Math.max(peak, rssOf(pid));
}

describe("a client that stops reading while a backend streams", () => {
  it("over Streamable HTTP: its POST stream is cut off, the proxy's memory stays bounded, and another client is served", async () => {
    const headers = await openSession(proxy.url!);
    const before = rssOf(pid);
    const flood = { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "flood__flood", arguments: FLOOD, _meta: { progressToken: "p" } } };
    const stalled = await requestWithoutReading(proxy.url!, { headers, body: flood });
    expect(stalled.headers["content-type"]).toBe("text/event-stream");
    const other = await connectClient("http", { url: proxy.url });
    try {
      const peak = await peakRssUntilCut("a POST's SSE stream");
      expect(peak - before).toBeLessThan(RSS_GROWTH_BOUND);
      expect(textOf(await other.client.callTool({ name: "flood__echo", arguments: { text: "still here" } }))).toBe("still here");
      // What is left is what the kernel buffers held when the proxy closed the connection.
      expect(await stalled.readToEnd(10_000)).toBeLessThan(32 * MIB);
    } finally {
      await other.close();
    }
  }, 60_000);

  it("over legacy SSE: the stream (and its session) is cut off, memory stays bounded, another client is served", async () => {
    const stream = await requestWithoutReading(proxy.sseUrl!, { method: "GET", headers: { accept: "text/event-stream" }, readFirst: 20 });
    const endpoint = /data: (\S+)/.exec(stream.first)?.[1];
    expect(endpoint).toBeDefined();
    const messageUrl = new URL(endpoint!, proxy.url).toString();
    expect((await post(messageUrl, initializeRequest())).status).toBe(202);
    await stream.readUntil('"id":0', 20_000);
    await post(messageUrl, initialized);
    const before = rssOf(pid);
    await post(messageUrl, { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "flood__flood", arguments: FLOOD, _meta: { progressToken: "p" } } });
    const other = await connectClient("sse", { sseUrl: proxy.sseUrl });
    try {
      const peak = await peakRssUntilCut("a legacy SSE stream");
      expect(peak - before).toBeLessThan(RSS_GROWTH_BOUND);
      expect(textOf(await other.client.callTool({ name: "flood__echo", arguments: { text: "still here" } }))).toBe("still here");
      expect(await stream.readToEnd(10_000)).toBeLessThan(32 * MIB);
      expect((await post(messageUrl, { jsonrpc: "2.0", id: 2, method: "ping" })).status).toBe(404);
    } finally {
      await other.close();
    }
  }, 60_000);

  it("of a large JSON answer: the connection is cut once the client has taken nothing for a while", async () => {
    const headers = await openSession(proxy.url!);
    const big = { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "flood__big", arguments: { bytes: 12 * MIB } } };
    const stalled = await requestWithoutReading(proxy.url!, { headers, body: big });
    expect(stalled.headers["content-type"]).toBe("application/json");
    await peakRssUntilCut("a JSON answer", 45_000);
    expect(await stalled.readToEnd(10_000)).toBeLessThan(12 * MIB);
  }, 60_000);
});
