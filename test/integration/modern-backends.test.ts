// 2026-07-28 backends (the official SDK v2 server: createMcpHandler over HTTP, serveStdio over
// stdio) behind the gateway, reached by a legacy client and by a modern one.
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectClient, SERVERS, startHttpServer, type TestClient, textOf } from "../support/mcp-clients.js";
import { type ProxyProcess, startProxyProcess } from "../support/proxy-process.js";
import { post } from "../support/raw-http.js";

let backend: { url: string; stop(): void };
let proxy: ProxyProcess;

beforeAll(async () => {
  backend = await startHttpServer(SERVERS.modern, ["http", "web"]);
  proxy = await startProxyProcess({
    version: 1,
    backends: {
      web: { transport: "http", url: backend.url, era: "auto" },
      pipe: { transport: "stdio", command: process.execPath, args: [SERVERS.modern, "stdio", "pipe"], era: "modern" },
    },
    bindings: [{ transport: "http", port: 0 }],
    logging: { level: "warn" },
    audit: { enabled: false },
  });
}, 30_000);
afterAll(async () => {
  await proxy?.stop();
  backend?.stop();
});

describe("a legacy client in front of modern backends", () => {
  let legacy: TestClient;
  beforeAll(async () => {
    legacy = await connectClient("http", { url: proxy.url! }, { elicitAnswer: "ada", sampleAs: "a sampled line" });
  });
  afterAll(async () => legacy?.close());

  it("lists and calls both backends, with their instructions joined", async () => {
    expect((await legacy.client.listTools()).tools.map((t) => t.name)).toEqual(["web__echo", "web__ask", "web__sample", "web__grow", "web__touch", "web__streams", "pipe__echo", "pipe__ask", "pipe__sample", "pipe__grow", "pipe__touch", "pipe__streams"]);
    expect(legacy.client.getInstructions()).toContain("web speaks 2026-07-28.");
    expect(textOf(await legacy.client.callTool({ name: "web__echo", arguments: { text: "one" } }))).toBe("web: one");
    expect(textOf(await legacy.client.callTool({ name: "pipe__echo", arguments: { text: "two" } }))).toBe("pipe: two");
  });

  it("turns a backend's input_required into elicitation and sampling requests on the client's session, and retries", async () => {
    expect(textOf(await legacy.client.callTool({ name: "web__ask", arguments: {} }))).toBe("hello ada");
    expect(textOf(await legacy.client.callTool({ name: "pipe__ask", arguments: {} }))).toBe("hello ada");
    expect(textOf(await legacy.client.callTool({ name: "web__sample", arguments: {} }))).toBe("sampled: a sampled line");
  });
});

describe("a modern client in front of modern backends", () => {
  it("gets the backend's own input requests (its keys), with the backend's state sealed inside the gateway's", async () => {
    const meta = { "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientInfo": { name: "raw", version: "1" }, "io.modelcontextprotocol/clientCapabilities": { elicitation: { form: {} } } };
    const headers = { "mcp-protocol-version": "2026-07-28", "mcp-method": "tools/call", "mcp-name": "web__ask" };
    const call = (id: number, extra: Record<string, unknown> = {}) => ({ jsonrpc: "2.0", id, method: "tools/call", params: { name: "web__ask", arguments: {}, ...extra, _meta: meta } });
    const first = (await post(proxy.url!, call(1), headers)).json();
    expect(first.result).toMatchObject({ resultType: "input_required", inputRequests: { who: { method: "elicitation/create" } } });
    const answers = { inputResponses: { who: { action: "accept", content: { answer: "lin" } } } };
    const tampered = (await post(proxy.url!, call(2, { ...answers, requestState: `${first.result.requestState}x` }), headers)).json();
    expect(tampered.error).toMatchObject({ code: -32602, data: { reason: "INVALID_REQUEST_STATE" } });
    const done = (await post(proxy.url!, call(3, { ...answers, requestState: first.result.requestState }), headers)).json();
    expect(textOf(done.result)).toBe("hello lin");
  });

  it("passes on a backend's -32021 for a capability the request did not declare, with HTTP 400", async () => {
    const meta = { "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientInfo": { name: "raw", version: "1" }, "io.modelcontextprotocol/clientCapabilities": {} };
    const headers = { "mcp-protocol-version": "2026-07-28", "mcp-method": "tools/call", "mcp-name": "web__ask" };
    const reply = await post(proxy.url!, { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "web__ask", arguments: {}, _meta: meta } }, headers);
    expect(reply.status).toBe(400);
    expect(reply.json().error).toMatchObject({ code: -32021, data: { requiredCapabilities: { elicitation: {} } } });
  });

  it("gets the backend's question as its own input_required round and completes on its retry", async () => {
    const client = new Client({ name: "modern", version: "1" }, { capabilities: { elicitation: { form: {} } }, versionNegotiation: { mode: { pin: "2026-07-28" } } });
    client.setRequestHandler("elicitation/create", async () => ({ action: "accept", content: { answer: "grace" } }));
    await client.connect(new StreamableHTTPClientTransport(new URL(proxy.url!)));
    try {
      expect(textOf(await client.callTool({ name: "web__ask", arguments: {} }))).toBe("hello grace");
      expect(textOf(await client.callTool({ name: "pipe__echo", arguments: { text: "three" } }))).toBe("pipe: three");
    } finally {
      await client.close();
    }
  });
});
