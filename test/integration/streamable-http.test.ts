import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recorderBackend, SERVERS } from "../support/mcp-clients.js";
import { type ProxyProcess, startProxyProcess } from "../support/proxy-process.js";

let proxy: ProxyProcess;
let sessionId: string;

const JSON_FIRST = "application/json, text/event-stream";
const SSE_FIRST = "text/event-stream, application/json";

async function post(body: unknown, accept = JSON_FIRST, extra: Record<string, string> = {}, signal?: AbortSignal) {
  return fetch(proxy.url!, {
    method: "POST",
    signal,
    headers: { "content-type": "application/json", accept, ...(sessionId ? { "mcp-session-id": sessionId } : {}), ...extra },
    body: JSON.stringify(body),
  });
}

beforeAll(async () => {
  proxy = await startProxyProcess({
    version: 1,
    backends: {
      everything: { transport: "stdio", command: process.execPath, args: [SERVERS.everything, "stdio"] },
      beta: recorderBackend("beta"),
    },
    bindings: [{ transport: "http", port: 0 }],
    logging: { level: "warn" },
  });
  const init = await post({ jsonrpc: "2.0", id: 0, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "raw", version: "1" } } });
  sessionId = init.headers.get("mcp-session-id")!;
  expect(init.headers.get("content-type")).toBe("application/json");
  expect(((await init.json()) as { result: { protocolVersion: string } }).result.protocolVersion).toBe("2025-11-25");
  expect((await post({ jsonrpc: "2.0", method: "notifications/initialized" })).status).toBe(202);
}, 30_000);

afterAll(async () => {
  await proxy?.stop();
});

describe("Streamable HTTP answers", () => {
  it("answer a call as plain JSON when the client lists JSON first and nothing must stream", async () => {
    const res = await post({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "everything__echo", arguments: { message: "fast" } } });
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(await res.json()).toEqual({ jsonrpc: "2.0", id: 1, result: { content: [{ type: "text", text: "Echo: fast" }] } });
  });

  it("stream when the client lists text/event-stream first", async () => {
    const res = await post({ jsonrpc: "2.0", id: 2, method: "tools/list", params: {} }, SSE_FIRST);
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    const [event] = (await res.text()).split("\n\n");
    const [idLine, eventLine, dataLine] = event!.split("\n");
    expect(idLine).toMatch(/^id: \S+$/);
    expect(eventLine).toBe("event: message");
    expect(JSON.parse(dataLine!.slice("data: ".length))).toMatchObject({ jsonrpc: "2.0", id: 2, result: { tools: expect.any(Array) } });
  });

  it("switch a JSON-first call to a stream when progress must reach the client before the answer", async () => {
    const res = await post({ jsonrpc: "2.0", id: 3, method: "tools/call", params: { name: "everything__trigger-long-running-operation", arguments: { duration: 0.3, steps: 2 }, _meta: { progressToken: "tok-3" } } });
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    const events = (await res.text()).split("\n\n").filter(Boolean).map((e) => JSON.parse(e.split("data: ")[1]!));
    expect(events.filter((e) => e.method === "notifications/progress").map((e) => e.params.progressToken)).toEqual(["tok-3", "tok-3"]);
    expect(events.at(-1)).toMatchObject({ id: 3, result: { content: [{ type: "text" }] } });
  });

  it("carry a backend's error unchanged on the wire, -32002 included, and the proxy's own with its reason", async () => {
    const backendError = await post({ jsonrpc: "2.0", id: 20, method: "resources/read", params: { uri: "recorder://beta/files/x" } });
    expect(await backendError.json()).toEqual({
      jsonrpc: "2.0",
      id: 20,
      error: { code: -32002, message: "Resource not found: recorder://beta/files/x", data: { uri: "recorder://beta/files/x" } },
    });
    const ownError = await post({ jsonrpc: "2.0", id: 21, method: "resources/read", params: { uri: "nope://x" } });
    expect(await ownError.json()).toEqual({
      jsonrpc: "2.0",
      id: 21,
      error: { code: -32602, message: "Resource not found: nope://x", data: { uri: "nope://x", reason: "UNKNOWN_RESOURCE" } },
    });
  });

  it("stop waiting for a call the client cancels: the rest of its batch is answered at once", async () => {
    const started = Date.now();
    const batch = post([
      { jsonrpc: "2.0", id: 30, method: "tools/call", params: { name: "beta__slow", arguments: { ms: 10_000 } } },
      { jsonrpc: "2.0", id: 31, method: "tools/call", params: { name: "beta__whoami", arguments: {} } },
    ]);
    await new Promise((r) => setTimeout(r, 300));
    expect((await post({ jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: 30, reason: "changed my mind" } })).status).toBe(202);
    const body = (await (await batch).json()) as Array<{ id: number; result?: unknown }>;
    expect(body).toEqual([{ jsonrpc: "2.0", id: 31, result: { content: [{ type: "text", text: "beta" }] } }]);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("resume a stream the client lost with Last-Event-ID, answer included", async () => {
    const controller = new AbortController();
    const res = await post(
      { jsonrpc: "2.0", id: 40, method: "tools/call", params: { name: "everything__trigger-long-running-operation", arguments: { duration: 1, steps: 4 }, _meta: { progressToken: "p40" } } },
      SSE_FIRST,
      {},
      controller.signal,
    );
    const reader = res.body!.getReader();
    let text = "";
    while (!/\n\n/.test(text)) text += new TextDecoder().decode((await reader.read()).value);
    const firstId = /^id: (\S+)/m.exec(text)![1]!;
    controller.abort();
    await new Promise((r) => setTimeout(r, 1300));
    const resumed = await fetch(proxy.url!, { headers: { accept: "text/event-stream", "mcp-session-id": sessionId, "last-event-id": firstId } });
    const events = (await resumed.text()).split("\n\n").filter(Boolean).map((e) => JSON.parse(e.split("data: ")[1]!));
    expect(events.filter((e) => e.method === "notifications/progress").length).toBeGreaterThanOrEqual(2);
    expect(events.at(-1)).toMatchObject({ id: 40, result: { content: [{ type: "text" }] } });
  });

  it("answer a batch with an array holding every answer", async () => {
    const res = await post([
      { jsonrpc: "2.0", id: 10, method: "ping" },
      { jsonrpc: "2.0", id: 11, method: "tools/call", params: { name: "everything__echo", arguments: { message: "b" } } },
    ]);
    const body = (await res.json()) as Array<{ id: number }>;
    expect(body.map((m) => m.id).sort()).toEqual([10, 11]);
  });

  it("refuse an unsupported protocol version header and a message that is not JSON-RPC", async () => {
    expect((await post({ jsonrpc: "2.0", id: 4, method: "ping" }, JSON_FIRST, { "mcp-protocol-version": "1999-01-01" })).status).toBe(400);
    const bad = await post({ hello: "world" });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: -32600 } });
  });

  it("end the session on DELETE; the id then answers 404", async () => {
    const del = await fetch(proxy.url!, { method: "DELETE", headers: { "mcp-session-id": sessionId } });
    expect(del.status).toBe(200);
    expect((await post({ jsonrpc: "2.0", id: 5, method: "ping" })).status).toBe(404);
  });
});
