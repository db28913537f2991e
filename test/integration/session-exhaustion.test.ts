import { connect, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectClient, recorderBackend, textOf, waitFor } from "../support/mcp-clients.js";
import { type ProxyProcess, startProxyProcess } from "../support/proxy-process.js";
import { initializeRequest, initialized, post, postOnNewConnection, requestWithoutReading } from "../support/raw-http.js";

// Opening a session or a connection is cheap for a client and costly for the proxy. Sessions
// that never complete their handshake get a small budget of their own and a short life, SSE
// sessions idle out like others, connections are capped, and every cap hit is logged.
// initializeWaitMs + uninitializedSessionMs: room for a busy machine before the first assertions,
// and shorter than the idle limits, so a bare stream is closed by the handshake rule, not the idle one.
const HANDSHAKE_MS = 6000;
const IDLE_MS = 10_000;

let proxy: ProxyProcess;

beforeAll(async () => {
  proxy = await startProxyProcess({
    version: 1,
    backends: { alpha: recorderBackend("alpha") },
    bindings: [{ transport: "http", port: 0, legacySse: true }],
    limits: { initializeWaitMs: 1000, uninitializedSessionMs: HANDSHAKE_MS - 1000, maxUninitializedSessions: 4, clientSessionIdleMs: IDLE_MS, streamSessionIdleMs: IDLE_MS, maxConnections: 30 },
    logging: { level: "warn" },
  });
}, 30_000);

afterAll(async () => {
  await proxy?.stop();
});

const bareSse = () => requestWithoutReading(proxy.sseUrl!, { method: "GET", headers: { accept: "text/event-stream" }, readFirst: 20 });

// Its own proxy: the test counts every connection open to it, so no other test's may linger.
describe("connections", () => {
  let proxy: ProxyProcess;
  beforeAll(async () => {
    proxy = await startProxyProcess({
      version: 1,
      backends: { alpha: recorderBackend("alpha") },
      bindings: [{ transport: "http", port: 0 }],
      limits: { maxConnections: 30 },
      logging: { level: "warn" },
    });
  }, 30_000);
  afterAll(async () => {
    await proxy?.stop();
  });

  it("are capped at maxConnections: one more is answered 503 TOO_MANY_CONNECTIONS and closed, and the cap is logged", async () => {
    const sockets: Socket[] = [];
    try {
      const url = new URL(proxy.url!);
      for (let i = 0; i < 30; i++) {
        const socket = connect(Number(url.port), url.hostname);
        socket.on("error", () => undefined);
        await new Promise((resolve) => socket.once("connect", resolve));
        sockets.push(socket);
      }
      // The proxy counts a connection once it has accepted it; give it a moment to see all 30.
      await new Promise((r) => setTimeout(r, 200));
      const answer = await postOnNewConnection(proxy.url!, initializeRequest());
      expect(answer.status).toBe(503);
      expect(JSON.parse(answer.text)).toMatchObject({ error: { data: { reason: "TOO_MANY_CONNECTIONS" } } });
      // Logs are written asynchronously.
      expect(await waitFor(() => /"reason":"TOO_MANY_CONNECTIONS"/.test(proxy.stderr()), 5000)).toBe(true);
    } finally {
      for (const socket of sockets) socket.destroy();
    }
    expect(await waitFor(async () => (await postOnNewConnection(proxy.url!, initializeRequest())).status === 200, 5000)).toBe(true);
  });
});

describe("sessions that never initialize", () => {
  it("fill only their own small budget (503 TOO_MANY_UNINITIALIZED_SESSIONS), are closed after a short time, and then clients get in", async () => {
    const bare = await Promise.all([bareSse(), bareSse(), bareSse()]);
    // A Streamable HTTP session that was initialized but never sent notifications/initialized counts too.
    const half = await post(proxy.url!, initializeRequest());
    expect(half.status).toBe(200);
    const refused = await fetch(proxy.sseUrl!, { headers: { accept: "text/event-stream" } });
    expect(refused.status).toBe(503);
    expect(await refused.json()).toMatchObject({ error: { data: { reason: "TOO_MANY_UNINITIALIZED_SESSIONS" } } });
    expect((await post(proxy.url!, initializeRequest())).json()).toMatchObject({ error: { data: { reason: "TOO_MANY_UNINITIALIZED_SESSIONS" } } });
    for (const stream of bare) expect(await stream.readToEnd(HANDSHAKE_MS + 3000)).toBeLessThan(1000);
    // Logs are written asynchronously.
    expect(await waitFor(() => /"reason":"TOO_MANY_UNINITIALIZED_SESSIONS"/.test(proxy.stderr()) && /"reason":"HANDSHAKE_TIMEOUT"/.test(proxy.stderr()), 5000)).toBe(true);
    const c = await connectClient("sse", { sseUrl: proxy.sseUrl });
    try {
      expect(await waitFor(async () => (await c.client.listTools()).tools.length > 0, 10_000, 200)).toBe(true);
      expect(textOf(await c.client.callTool({ name: "alpha__whoami", arguments: {} }))).toBe("alpha");
    } finally {
      await c.close();
    }
  }, 30_000);
});

describe("idle sessions", () => {
  it("close a legacy SSE session that posts nothing for streamSessionIdleMs, though its stream is open", async () => {
    const stream = await bareSse();
    const messageUrl = new URL(/data: (\S+)/.exec(stream.first)![1]!, proxy.url).toString();
    await post(messageUrl, initializeRequest());
    await stream.readUntil('"id":0', 10_000);
    await post(messageUrl, initialized);
    const opened = Date.now();
    await stream.readToEnd(IDLE_MS + 10_000);
    expect(Date.now() - opened).toBeGreaterThanOrEqual(IDLE_MS - 100);
    expect((await post(messageUrl, { jsonrpc: "2.0", id: 1, method: "ping" })).status).toBe(404);
  }, 30_000);

  it("keep a legacy SSE session with a call under way", async () => {
    const c = await connectClient("sse", { sseUrl: proxy.sseUrl });
    try {
      expect(await waitFor(async () => (await c.client.listTools()).tools.length > 0, 10_000, 200)).toBe(true);
      // A call longer than the idle limit: the session is in use all along.
      expect(textOf(await c.client.callTool({ name: "alpha__slow", arguments: { ms: IDLE_MS + 2000 } }))).toBe("done");
    } finally {
      await c.close();
    }
  }, 40_000);
});

