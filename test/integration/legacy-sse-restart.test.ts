import { Client, SSEClientTransport } from "@modelcontextprotocol/client";
import { afterAll, describe, expect, it } from "vitest";
import { recorderBackend, textOf, waitFor } from "../support/mcp-clients.js";
import { type ProxyProcess, startProxyProcess } from "../support/proxy-process.js";

const config = (port: number) => ({
  version: 1,
  backends: { alpha: recorderBackend("alpha") },
  bindings: [{ transport: "http", port, legacySse: true }],
  logging: { level: "warn" },
});

let proxy: ProxyProcess | undefined;

afterAll(async () => {
  await proxy?.stop();
});

describe("a legacy SSE client across a proxy restart", () => {
  it("is told its session is gone (HTTP 404) on every call, and connecting again recovers", async () => {
    proxy = await startProxyProcess(config(0));
    const sseUrl = new URL(proxy.sseUrl!);
    const client = new Client({ name: "sse-client", version: "1.0.0" });
    const errors: string[] = [];
    client.onerror = (error) => void errors.push(error.message);
    await client.connect(new SSEClientTransport(sseUrl), { timeout: 30_000 });
    expect(textOf(await client.callTool({ name: "alpha__whoami", arguments: {} }))).toBe("alpha");

    await proxy.stop();
    proxy = await startProxyProcess(config(Number(sseUrl.port)));
    const call = () =>
      client.callTool({ name: "alpha__whoami", arguments: {} }).then(
        () => "answered",
        (error: Error) => error.message,
      );
    // The stream's loss reaches the client as an error, not a close: the transport stays "connected".
    expect(await waitFor(() => errors.length > 0, 10_000)).toBe(true);
    // Before its EventSource reconnects, a call goes to the old session's endpoint, which the new proxy does not know.
    expect(await call()).toMatch(/HTTP 404/);
    // The EventSource reconnects on its own (after 3 s) and is handed a new session the client
    // never initializes; its calls there get 404 too, never a JSON-RPC error that fails it for good.
    let failed = "";
    const reconnected = await waitFor(async () => (failed = await call()).includes('"reason":"SSE_SESSION_NOT_INITIALIZED"'), 20_000, 500);
    expect(reconnected, `last answer: ${failed}`).toBe(true);
    expect(failed).toMatch(/HTTP 404/);
    // And again: it is told every time, not once.
    expect(await call()).toContain('"reason":"SSE_SESSION_NOT_INITIALIZED"');

    // The documented recovery: on HTTP 404, close and connect again (a new transport initializes a new session).
    await client.close();
    await client.connect(new SSEClientTransport(sseUrl), { timeout: 30_000 });
    expect(textOf(await client.callTool({ name: "alpha__whoami", arguments: {} }))).toBe("alpha");
    await client.close();
  }, 60_000);

  it("refuses a request before initialize with 404 but answers ping", async () => {
    proxy ??= await startProxyProcess(config(0));
    const stream = await fetch(proxy.sseUrl!, { headers: { accept: "text/event-stream" } });
    const reader = stream.body!.getReader();
    let text = "";
    while (!/data: (\S+)/.test(text)) text += new TextDecoder().decode((await reader.read()).value);
    const endpoint = new URL(/data: (\S+)/.exec(text)![1]!, proxy.sseUrl!);
    const post = (body: unknown) => fetch(endpoint, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    expect((await post({ jsonrpc: "2.0", id: 1, method: "ping" })).status).toBe(202);
    const refused = await post({ jsonrpc: "2.0", id: 2, method: "tools/list" });
    expect(refused.status).toBe(404);
    expect(await refused.json()).toMatchObject({ error: { code: -32001, data: { reason: "SSE_SESSION_NOT_INITIALIZED" } } });
    await reader.cancel();
  });
});
