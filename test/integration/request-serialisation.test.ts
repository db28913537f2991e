import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectClient, recorderBackend, startHttpRecorder, textOf } from "../support/mcp-clients.js";
import { type ProxyProcess, startProxyProcess } from "../support/proxy-process.js";

// 10,000 levels of nesting in about 20 KB: more than a recursive serialiser's stack holds.
const DEEP = `${"[".repeat(10_000)}${"]".repeat(10_000)}`;

let proxy: ProxyProcess;
let sessionId: string;
let remote: { url: string; stop(): void };

async function postRaw(body: string): Promise<Response> {
  return fetch(proxy.url!, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...(sessionId ? { "mcp-session-id": sessionId } : {}) },
    body,
  });
}

/** The JSON-RPC message in an answer, whether it came as JSON or as one SSE event. */
async function answerOf(res: Response): Promise<{ error?: { code: number; message: string; data?: Record<string, unknown> }; result?: unknown }> {
  const text = await res.text();
  return JSON.parse(res.headers.get("content-type")?.startsWith("text/event-stream") ? /^data: (.*)$/m.exec(text)![1]! : text);
}

beforeAll(async () => {
  remote = await startHttpRecorder("remote");
  proxy = await startProxyProcess({
    version: 1,
    backends: { shared: recorderBackend("shared", { session: "shared" }), remote: { transport: "http", url: remote.url, session: "shared" } },
    bindings: [{ transport: "http", port: 0 }],
    limits: { maxBodyBytes: 1_000_000 },
    logging: { level: "warn" },
  });
  const init = await postRaw(JSON.stringify({ jsonrpc: "2.0", id: 0, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "deep", version: "1" } } }));
  sessionId = init.headers.get("mcp-session-id")!;
  await postRaw(JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }));
}, 30_000);

afterAll(async () => {
  await proxy?.stop();
  remote?.stop();
});

describe("a request too deeply nested to forward", () => {
  it("fails alone with -32602, and the shared backend and its other clients are untouched", async () => {
    const victim = await connectClient("http", { url: proxy.url });
    try {
      const pid = async () => textOf(await victim.client.callTool({ name: "shared__pid", arguments: {} }));
      const before = await pid();
      const victimCalls = Array.from({ length: 20 }, (_, i) => victim.client.callTool({ name: "shared__search", arguments: { query: `q${i}` } }));
      const attacks = [
        `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"shared__search","arguments":{"query":${DEEP}}}}`,
        `{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"shared__search","arguments":{},"_meta":{"deep":${DEEP}}}}`,
      ];
      for (const body of attacks) {
        const answer = await answerOf(await postRaw(body));
        expect(answer.error).toMatchObject({ code: -32602, message: expect.stringMatching(/nested too deep/), data: expect.objectContaining({ reason: "INVALID_PARAMS" }) });
      }
      const results = await Promise.all(victimCalls);
      expect(results.map(textOf)).toEqual(Array.from({ length: 20 }, (_, i) => `shared: q${i}`));
      expect(textOf(await victim.client.callTool({ name: "shared__search", arguments: { query: "after" } }))).toBe("shared: after");
      expect(await pid()).toBe(before);
      expect(proxy.stderr()).not.toMatch(/backend down/);
    } finally {
      await victim.close();
    }
  });

  it("fails alone towards a Streamable HTTP backend too, which keeps its session", async () => {
    const answer = await answerOf(await postRaw(`{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"remote__search","arguments":{"query":${DEEP}}}}`));
    expect(answer.error).toMatchObject({ code: -32602, message: expect.stringContaining('backend "remote"') });
    const ok = await answerOf(await postRaw(`{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"remote__search","arguments":{"query":"fine"}}}`));
    expect(textOf(ok.result)).toBe("remote: fine");
    expect(proxy.stderr()).not.toMatch(/backend down/);
  });
});
