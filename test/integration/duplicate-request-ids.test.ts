import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recorderBackend } from "../support/mcp-clients.js";
import { type ProxyProcess, proxyCommand, startProxyProcess, writeConfig } from "../support/proxy-process.js";

// A client that reuses a request id while the first request is still in flight: the first
// keeps its own answer, the second is refused (-32600, DUPLICATE_REQUEST_ID), nothing hangs.

const INIT = { jsonrpc: "2.0", id: 0, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "raw", version: "1" } } };
const slow = (id: number, ms = 600) => ({ jsonrpc: "2.0", id, method: "tools/call", params: { name: "alpha__slow", arguments: { ms } } });
const duplicate = { code: -32600, data: { reason: "DUPLICATE_REQUEST_ID" } };

describe("a request id already in flight, over Streamable HTTP", () => {
  let proxy: ProxyProcess;
  let sessionId = "";
  const post = async (body: unknown) =>
    fetch(proxy.url!, { method: "POST", headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...(sessionId ? { "mcp-session-id": sessionId } : {}) }, body: JSON.stringify(body) });

  beforeAll(async () => {
    proxy = await startProxyProcess({ version: 1, backends: { alpha: recorderBackend("alpha") }, bindings: [{ transport: "http", port: 0 }], logging: { level: "warn" } });
    const init = await post(INIT);
    sessionId = init.headers.get("mcp-session-id")!;
    await post({ jsonrpc: "2.0", method: "notifications/initialized" });
  }, 30_000);

  afterAll(async () => {
    await proxy?.stop();
  });

  it("refuses the second POST with that id and answers the first with its own result", async () => {
    const first = post(slow(7));
    await new Promise((resolve) => setTimeout(resolve, 150));
    const second = await post({ jsonrpc: "2.0", id: 7, method: "tools/list", params: {} });
    expect(await second.json()).toMatchObject({ jsonrpc: "2.0", id: 7, error: duplicate });
    expect(await (await first).json()).toEqual({ jsonrpc: "2.0", id: 7, result: { content: [{ type: "text", text: "done" }] } });
  });

  it("refuses an id repeated inside one batch, and answers the rest of the batch", async () => {
    const res = await post([slow(8, 50), { jsonrpc: "2.0", id: 8, method: "tools/list", params: {} }, { jsonrpc: "2.0", id: 9, method: "tools/call", params: { name: "alpha__whoami", arguments: {} } }]);
    const answers = (await res.json()) as Array<{ id: number; result?: unknown; error?: unknown }>;
    expect(answers).toHaveLength(3);
    expect(answers.find((a) => a.error)).toMatchObject({ id: 8, error: duplicate });
    expect(answers.filter((a) => a.id === 8 && a.result)).toEqual([{ jsonrpc: "2.0", id: 8, result: { content: [{ type: "text", text: "done" }] } }]);
    expect(answers.find((a) => a.id === 9)).toEqual({ jsonrpc: "2.0", id: 9, result: { content: [{ type: "text", text: "alpha" }] } });
  });
});

describe("a request id already in flight, over stdio", () => {
  it("refuses the duplicate at once and still answers the first request; a hostile cancellation harms nothing", async () => {
    const { command, args } = proxyCommand(writeConfig({ version: 1, backends: { alpha: recorderBackend("alpha") }, bindings: [{ transport: "stdio" }], logging: { level: "warn" } }));
    const child = spawn(command, args, { stdio: ["pipe", "pipe", "pipe"] });
    try {
      const lines: Array<Record<string, unknown>> = [];
      createInterface({ input: child.stdout }).on("line", (line) => lines.push(JSON.parse(line)));
      const send = (m: unknown) => child.stdin.write(`${JSON.stringify(m)}\n`);
      const answerTo = async (id: number, count = 1) => {
        for (let i = 0; i < 200 && lines.filter((l) => l.id === id).length < count; i++) await new Promise((r) => setTimeout(r, 50));
        return lines.filter((l) => l.id === id);
      };
      send(INIT);
      await answerTo(0);
      send({ jsonrpc: "2.0", method: "notifications/initialized" });
      send(slow(5));
      send({ jsonrpc: "2.0", id: 5, method: "tools/list", params: {} });
      // Not only routed requests: a ping under the same id would be answered in the call's place.
      send({ jsonrpc: "2.0", id: 5, method: "ping" });
      const answers = await answerTo(5, 3);
      expect(answers[0]).toMatchObject({ id: 5, error: duplicate });
      expect(answers[1]).toMatchObject({ id: 5, error: duplicate });
      expect(answers[2]).toEqual({ jsonrpc: "2.0", id: 5, result: { content: [{ type: "text", text: "done" }] } });

      // A cancellation whose reason is nested 10,000 deep cancels that call and harms nothing else.
      send(slow(6, 5000));
      const deep = `${"[".repeat(10_000)}${"]".repeat(10_000)}`;
      child.stdin.write(`{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":6,"reason":${deep}}}\n`);
      send({ jsonrpc: "2.0", id: 7, method: "tools/call", params: { name: "alpha__whoami", arguments: {} } });
      expect(await answerTo(7)).toEqual([{ jsonrpc: "2.0", id: 7, result: { content: [{ type: "text", text: "alpha" }] } }]);
      expect(child.exitCode).toBe(null);
    } finally {
      child.kill("SIGTERM");
    }
  });
});
