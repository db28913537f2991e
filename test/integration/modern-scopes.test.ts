// A modern caller picks its client capabilities per request, and each set gets a scope of its
// own (with a child process per per-client backend): the scopes a caller can open are capped,
// and capabilities no backend could be started with are refused before one is.
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isAlive, recorderBackend, textOf, waitFor } from "../support/mcp-clients.js";
import { type ProxyProcess, startProxyProcess } from "../support/proxy-process.js";
import { post } from "../support/raw-http.js";

const MODERN = "2026-07-28";
const envelopeWith = (n: number) => ({
  "io.modelcontextprotocol/protocolVersion": MODERN,
  "io.modelcontextprotocol/clientInfo": { name: "raw", version: "1" },
  "io.modelcontextprotocol/clientCapabilities": { experimental: { [`x-${n}`]: {} } },
});
const headers = { "mcp-protocol-version": MODERN, "mcp-method": "tools/call", "mcp-name": "rec__pid" };

describe("session-less scopes of one caller, limits.maxClientSessions: 2", () => {
  let proxy: ProxyProcess;
  const clients: Client[] = [];
  beforeAll(async () => {
    proxy = await startProxyProcess({ version: 1, backends: { rec: recorderBackend("rec") }, bindings: [{ transport: "http", port: 0 }], limits: { maxClientSessions: 2 }, logging: { level: "warn" }, audit: { enabled: false } });
  }, 30_000);
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    await proxy?.stop();
  });

  const pidFor = async (n: number) => {
    const reply = await post(proxy.url!, { jsonrpc: "2.0", id: n, method: "tools/call", params: { name: "rec__pid", arguments: {}, _meta: envelopeWith(n) } }, headers);
    return { status: reply.status, body: reply.json() };
  };

  it("closes the caller's least recently used idle scope (and its backend child) to open a new one", async () => {
    const pids: number[] = [];
    for (const n of [1, 2, 3]) {
      const { status, body } = await pidFor(n);
      expect(status).toBe(200);
      pids.push(Number(textOf(body.result)));
    }
    expect(new Set(pids).size).toBe(3);
    expect(await waitFor(() => !isAlive(pids[0]!))).toBe(true);
    expect(isAlive(pids[1]!) && isAlive(pids[2]!)).toBe(true);
  }, 30_000);

  it("refuses a new scope (HTTP 503, TOO_MANY_SESSIONS) while every scope is busy, and opens it once one is free", async () => {
    // A listen stream keeps its scope busy for as long as it is open.
    const listens = [];
    for (const n of [4, 5]) {
      const client = new Client({ name: `listener-${n}`, version: "1" }, { capabilities: { experimental: { [`x-${n}`]: {} } }, versionNegotiation: { mode: { pin: MODERN } } });
      clients.push(client);
      await client.connect(new StreamableHTTPClientTransport(new URL(proxy.url!)));
      listens.push(await client.listen({ toolsListChanged: true }));
    }
    const refused = await pidFor(6);
    expect(refused.status).toBe(503);
    expect(refused.body.error).toMatchObject({ code: -32603, data: { reason: "TOO_MANY_SESSIONS" } });
    await listens[0]!.close();
    expect(await waitFor(async () => (await pidFor(6)).status === 200)).toBe(true);
  }, 30_000);
});

describe("the client capabilities a scope is opened with", () => {
  let proxy: ProxyProcess;
  beforeAll(async () => {
    proxy = await startProxyProcess({ version: 1, backends: { rec: recorderBackend("rec") }, bindings: [{ transport: "http", port: 0 }], logging: { level: "warn" }, audit: { enabled: false } });
  }, 30_000);
  afterAll(async () => proxy?.stop());

  const callWith = (capabilities: string) => {
    const meta = `{"io.modelcontextprotocol/protocolVersion":"${MODERN}","io.modelcontextprotocol/clientInfo":{"name":"raw","version":"1"},"io.modelcontextprotocol/clientCapabilities":${capabilities}}`;
    return post(proxy.url!, `{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"rec__pid","arguments":{},"_meta":${meta}}}`, headers);
  };

  it("are checked as initialize's before a per-client backend is started with them (HTTP 400, -32602 naming the key)", async () => {
    // 2026-07-28 has no tasks capability, so the era's own check lets this through; a legacy backend's initialize does not.
    const refused = await callWith('{"tasks":{"requests":7}}');
    expect(refused.status).toBe(400);
    expect(refused.json().error).toMatchObject({ code: -32602, data: { reason: "INVALID_PARAMS", envelope: { key: "io.modelcontextprotocol/clientCapabilities.tasks.requests" } } });
    expect(proxy.stderr()).not.toContain("failed to start");
  });

  it("nested too deep to key a scope are refused as the caller's error, not answered \"internal error\"", async () => {
    const deep = `${"[".repeat(50_000)}1${"]".repeat(50_000)}`;
    const refused = await callWith(`{"x":${deep}}`);
    expect(refused.status).toBe(400);
    expect(refused.json().error).toMatchObject({ code: -32602, data: { reason: "INVALID_PARAMS" } });
    // And the proxy goes on serving the caller.
    expect((await callWith('{"experimental":{}}')).status).toBe(200);
  });
});
