import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recorderBackend } from "../support/mcp-clients.js";
import { type ProxyProcess, startProxyProcess } from "../support/proxy-process.js";

let proxy: ProxyProcess;

beforeAll(async () => {
  proxy = await startProxyProcess({
    version: 1,
    backends: { alpha: recorderBackend("alpha") },
    bindings: [{ transport: "http", port: 0, legacySse: true }],
    limits: { maxBodyBytes: 4096 },
    logging: { level: "warn" },
  });
}, 30_000);

afterAll(async () => {
  await proxy?.stop();
});

const oversized = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { padding: "x".repeat(4 * 1024 * 1024) } });

/** The status a client sees, or the network error it got instead of an answer. */
async function statusOf(url: string, body: string | ReadableStream<Uint8Array>, headers: Record<string, string> = {}): Promise<number | string> {
  try {
    const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers }, body, duplex: "half" } as RequestInit);
    await res.text();
    return res.status;
  } catch (error) {
    return `${(error as Error).message}: ${String((error as { cause?: unknown }).cause)}`;
  }
}

describe("a body over limits.maxBodyBytes", () => {
  it("reaches every one of 20 concurrent clients as a 413, not a broken pipe", async () => {
    const statuses = await Promise.all(Array.from({ length: 20 }, () => statusOf(proxy.url!, oversized)));
    expect(statuses).toEqual(Array.from({ length: 20 }, () => 413));
  });

  it("reaches a client that sends it chunked (no Content-Length) as a 413", async () => {
    const stream = () =>
      new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < 64; i++) controller.enqueue(new TextEncoder().encode("x".repeat(4096)));
          controller.close();
        },
      });
    const statuses = await Promise.all(Array.from({ length: 10 }, () => statusOf(proxy.url!, stream())));
    expect(statuses).toEqual(Array.from({ length: 10 }, () => 413));
  });

  it("and the gateway keeps serving", async () => {
    const ok = await statusOf(proxy.url!, JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "t", version: "1" } } }));
    expect(ok).toBe(200);
  });
});
