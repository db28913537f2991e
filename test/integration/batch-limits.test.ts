import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectClient, recorderBackend, SERVERS, textOf } from "../support/mcp-clients.js";
import { type ProxyProcess, startProxyProcess } from "../support/proxy-process.js";
import { MIB, openSession, post } from "../support/raw-http.js";

// A batch is one POST for the client and one dispatch and one answer per message for the
// proxy: without bounds a 1 MB batch of tools/list built an answer too large for a V8 string
// and was never answered. Batches are bounded by count, answers by bytes, and what is over
// either gets a JSON-RPC error with its reason.
const MAX_RESPONSE_BYTES = 20_000;

let proxy: ProxyProcess;

beforeAll(async () => {
  proxy = await startProxyProcess({
    version: 1,
    backends: {
      alpha: recorderBackend("alpha"),
      flood: { transport: "stdio", command: process.execPath, args: [SERVERS.flood] },
    },
    bindings: [{ transport: "http", port: 0, legacySse: true }],
    limits: { maxResponseBytes: MAX_RESPONSE_BYTES },
    logging: { level: "warn" },
  });
}, 30_000);

afterAll(async () => {
  await proxy?.stop();
});

const toolsList = (id: number) => ({ jsonrpc: "2.0", id, method: "tools/list" });

describe("batches and the size of answers", () => {
  it("answers a 1 MB batch of tools/list at once with BATCH_TOO_LARGE, and another client is served meanwhile", async () => {
    const headers = await openSession(proxy.url!);
    const batch: unknown[] = [];
    for (let id = 1, bytes = 2; bytes < MIB; id++) {
      batch.push(toolsList(id));
      bytes += JSON.stringify(toolsList(id)).length + 1;
    }
    const other = await connectClient("http", { url: proxy.url });
    try {
      const started = Date.now();
      const [answer, call] = await Promise.all([post(proxy.url!, batch, headers), other.client.callTool({ name: "alpha__whoami", arguments: {} })]);
      expect(answer.status).toBe(400);
      expect(answer.json()).toMatchObject({ jsonrpc: "2.0", id: null, error: { code: -32600, data: { reason: "BATCH_TOO_LARGE" } } });
      expect(answer.json().error.message).toContain(`a batch of ${batch.length} messages is over the limit of 100`);
      expect(Date.now() - started).toBeLessThan(5000);
      expect(textOf(call)).toBe("alpha");
    } finally {
      await other.close();
    }
  });

  it("refuses an oversized batch on legacy SSE the same way", async () => {
    const res = await fetch(proxy.sseUrl!, { headers: { accept: "text/event-stream" } });
    const reader = res.body!.getReader();
    const endpoint = /data: (\S+)/.exec(new TextDecoder().decode((await reader.read()).value))![1]!;
    const answer = await post(new URL(endpoint, proxy.url).toString(), Array.from({ length: 101 }, (_, i) => toolsList(i + 1)));
    await reader.cancel();
    expect(answer.status).toBe(400);
    expect(answer.json().error.data.reason).toBe("BATCH_TOO_LARGE");
  });

  it("answers every request of a batch within maxResponseBytes: the answers past it are RESPONSE_TOO_LARGE errors", async () => {
    const headers = await openSession(proxy.url!);
    const answer = await post(proxy.url!, Array.from({ length: 100 }, (_, i) => toolsList(i + 1)), headers);
    expect(answer.status).toBe(200);
    expect(Buffer.byteLength(answer.text)).toBeLessThan(MAX_RESPONSE_BYTES + 100 * 300);
    const answers = answer.json() as Array<{ id: number; result?: unknown; error?: { code: number; data: { reason: string } } }>;
    expect(answers.map((a) => a.id).sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    const listed = answers.filter((a) => a.result);
    const refused = answers.filter((a) => a.error);
    expect(listed.length).toBeGreaterThan(0);
    expect(refused.length).toBeGreaterThan(0);
    expect(listed.length + refused.length).toBe(100);
    for (const a of refused) expect(a.error).toMatchObject({ code: -32016, data: { reason: "RESPONSE_TOO_LARGE", limit: MAX_RESPONSE_BYTES } });
  });

  it("answers one request whose answer is over maxResponseBytes with RESPONSE_TOO_LARGE, and the session goes on", async () => {
    const c = await connectClient("http", { url: proxy.url });
    try {
      await expect(c.client.callTool({ name: "flood__big", arguments: { bytes: 2 * MAX_RESPONSE_BYTES } })).rejects.toMatchObject({ code: -32016 });
      expect(textOf(await c.client.callTool({ name: "flood__big", arguments: { bytes: 100 } }))).toBe("x".repeat(100));
    } finally {
      await c.close();
    }
  });
});
