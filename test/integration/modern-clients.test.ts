// 2026-07-28 clients on the same endpoints as legacy ones, in front of legacy (v1 SDK) backends:
// the official SDK v2 client pinned to the modern era, and raw requests for what it never sends.
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectClient, recorderBackend, textOf, waitFor } from "../support/mcp-clients.js";
import { type ProxyProcess, proxyCommand, startProxyProcess, writeConfig } from "../support/proxy-process.js";
import { post } from "../support/raw-http.js";

const MODERN = "2026-07-28";
const envelope = { "io.modelcontextprotocol/protocolVersion": MODERN, "io.modelcontextprotocol/clientInfo": { name: "raw", version: "1" }, "io.modelcontextprotocol/clientCapabilities": { elicitation: { form: {} } } };
const headersFor = (method: string, name?: string): Record<string, string> => ({ "mcp-protocol-version": MODERN, "mcp-method": method, ...(name === undefined ? {} : { "mcp-name": name }) });
const callAsk = (id: number, extra: Record<string, unknown> = {}) => ({ jsonrpc: "2.0", id, method: "tools/call", params: { name: "rec__ask-elicitation", arguments: { message: "who?" }, ...extra, _meta: envelope } });

function modernClient(): Client {
  const client = new Client({ name: "modern", version: "1" }, { capabilities: { elicitation: { form: {} }, sampling: {} }, versionNegotiation: { mode: { pin: MODERN } } });
  client.setRequestHandler("elicitation/create", async (request) => ({ action: "accept", content: { answer: `answer to ${(request.params as { message: string }).message}` } }));
  client.setRequestHandler("sampling/createMessage", async () => ({ model: "m", role: "assistant", content: { type: "text", text: "a sampled reply" } }));
  return client;
}

const config = (extra: Record<string, unknown> = {}) => ({ version: 1, backends: { rec: recorderBackend("rec") }, bindings: [{ transport: "http", port: 0 }], logging: { level: "warn" }, audit: { enabled: false }, ...extra });

describe("a 2026-07-28 client over HTTP, legacy backends", () => {
  let proxy: ProxyProcess;
  let client: Client;
  const auditFile = join(mkdtempSync(join(tmpdir(), "modern-audit-")), "audit.jsonl");
  beforeAll(async () => {
    proxy = await startProxyProcess(config({ audit: { sink: "file", file: auditFile } }));
    client = modernClient();
    await client.connect(new StreamableHTTPClientTransport(new URL(proxy.url!)));
  }, 30_000);
  afterAll(async () => {
    await client?.close();
    await proxy?.stop();
  });

  it("discovers the merged server, lists and calls with resultType, ttlMs and cacheScope", async () => {
    const discover = (await post(proxy.url!, { jsonrpc: "2.0", id: 1, method: "server/discover", params: { _meta: envelope } }, headersFor("server/discover"))).json();
    expect(discover.result).toMatchObject({ supportedVersions: [MODERN], _meta: { "io.modelcontextprotocol/serverInfo": { name: "mcp-portcullis" } }, resultType: "complete", ttlMs: 0, cacheScope: "public" });
    expect(discover.result.instructions).toContain("rec records what it receives");
    expect(discover.result.capabilities.logging).toBeUndefined();
    const list = (await post(proxy.url!, { jsonrpc: "2.0", id: 2, method: "tools/list", params: { _meta: envelope } }, headersFor("tools/list"))).json();
    expect(list.result).toMatchObject({ resultType: "complete", ttlMs: 0, cacheScope: "public" });
    expect((await client.listTools()).tools.map((t) => t.name)).toContain("rec__search");
    expect(textOf(await client.callTool({ name: "rec__search", arguments: { query: "q" } }))).toBe("rec: q");
    // The call is audited like a legacy one, marked modern, in the caller's session-less scope.
    const line = () => (existsSync(auditFile) ? readFileSync(auditFile, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.target === "rec__search") : undefined);
    expect(await waitFor(() => line() !== undefined)).toBe(true);
    expect(line()).toMatchObject({ event: "request", method: "tools/call", era: "modern", labelsSeen: [], status: "ok", session: expect.stringMatching(/^modern-/) });
  });

  it("bridges an elicitation and a sampling request of a legacy backend into input_required rounds", async () => {
    expect(textOf(await client.callTool({ name: "rec__ask-elicitation", arguments: { message: "name?" } }))).toBe('elicited: accept {"answer":"answer to name?"}');
    expect(textOf(await client.callTool({ name: "rec__ask-sampling", arguments: { prompt: "hi" } }))).toBe("sampled: a sampled reply");
  });

  it("listens: acknowledges what it grants and delivers resources/updated with the subscription id until closed", async () => {
    const updates: Array<Record<string, unknown>> = [];
    client.setNotificationHandler("notifications/resources/updated", (n) => void updates.push(n.params as Record<string, unknown>));
    const subscription = await client.listen({ toolsListChanged: true, resourceSubscriptions: ["recorder://rec/info", "recorder://nowhere/x"] });
    expect(subscription.honoredFilter).toEqual({ toolsListChanged: true, resourceSubscriptions: ["recorder://rec/info"] });
    await client.callTool({ name: "rec__touch", arguments: { uri: "recorder://rec/info" } });
    await client.callTool({ name: "rec__touch", arguments: { uri: "recorder://rec/other" } });
    expect(await waitFor(() => updates.length > 0)).toBe(true);
    expect(updates[0]).toMatchObject({ uri: "recorder://rec/info", _meta: { "io.modelcontextprotocol/subscriptionId": expect.anything() } });
    await subscription.close();
    expect(await subscription.closed).toBe("local");
    expect(updates.map((u) => u.uri)).toEqual(["recorder://rec/info"]);
  });

  it("refuses a tampered, a replayed and a misapplied requestState with -32602", async () => {
    const first = (await post(proxy.url!, callAsk(10), headersFor("tools/call", "rec__ask-elicitation"))).json();
    expect(first.result.resultType).toBe("input_required");
    const state: string = first.result.requestState;
    const answers = { inputResponses: { "elicitation-0": { action: "accept", content: { answer: "x" } } } };
    const flipped = state.slice(0, 30) + (state[30] === "A" ? "B" : "A") + state.slice(31);
    const tampered = (await post(proxy.url!, callAsk(11, { ...answers, requestState: flipped }), headersFor("tools/call", "rec__ask-elicitation"))).json();
    expect(tampered.error).toMatchObject({ code: -32602, data: { reason: "INVALID_REQUEST_STATE" } });
    const other = { jsonrpc: "2.0", id: 12, method: "tools/call", params: { name: "rec__ask-elicitation", arguments: { message: "something else" }, ...answers, requestState: state, _meta: envelope } };
    const misapplied = (await post(proxy.url!, other, headersFor("tools/call", "rec__ask-elicitation"))).json();
    expect(misapplied.error).toMatchObject({ code: -32602, data: { reason: "INVALID_REQUEST_STATE" } });
    expect(misapplied.error.message).toContain("another request");
    const good = (await post(proxy.url!, callAsk(13, { ...answers, requestState: state }), headersFor("tools/call", "rec__ask-elicitation"))).json();
    expect(textOf(good.result)).toBe('elicited: accept {"answer":"x"}');
    const replayed = (await post(proxy.url!, callAsk(14, { ...answers, requestState: state }), headersFor("tools/call", "rec__ask-elicitation"))).json();
    expect(replayed.error).toMatchObject({ code: -32602, data: { reason: "INVALID_REQUEST_STATE" } });
  });

  it("asks each of two concurrent calls to one per-client backend its own question, and answers each from its own round", async () => {
    // The first call asks later than the second one starts: its question must not end the second's round.
    const ask = (id: number, message: string, delayMs: number, extra: Record<string, unknown> = {}) =>
      post(proxy.url!, { jsonrpc: "2.0", id, method: "tools/call", params: { name: "rec__ask-elicitation", arguments: { message, delayMs }, ...extra, _meta: envelope } }, headersFor("tools/call", "rec__ask-elicitation")).then((r) => r.json());
    const first = ask(30, "first?", 300);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const second = ask(31, "second?", 600);
    const [a, b] = await Promise.all([first, second]);
    expect(a.result.inputRequests["elicitation-0"].params.message).toBe("first?");
    expect(b.result.inputRequests["elicitation-0"].params.message).toBe("second?");
    const answer = (text: string) => ({ inputResponses: { "elicitation-0": { action: "accept", content: { answer: text } } } });
    const [doneA, doneB] = await Promise.all([
      ask(32, "first?", 300, { ...answer("for first"), requestState: a.result.requestState }),
      ask(33, "second?", 600, { ...answer("for second"), requestState: b.result.requestState }),
    ]);
    expect(textOf(doneA.result)).toBe('elicited: accept {"answer":"for first"}');
    expect(textOf(doneB.result)).toBe('elicited: accept {"answer":"for second"}');
  }, 20_000);

  it("checks the headers against the body with the spec's codes, HTTP 400", async () => {
    const wrongMethod = await post(proxy.url!, { jsonrpc: "2.0", id: 20, method: "tools/list", params: { _meta: envelope } }, headersFor("prompts/list"));
    expect(wrongMethod.status).toBe(400);
    expect(wrongMethod.json().error).toMatchObject({ code: -32020, data: { reason: "HEADER_MISMATCH" } });
    const wrongName = await post(proxy.url!, callAsk(21), headersFor("tools/call", "rec__search"));
    expect(wrongName.status).toBe(400);
    expect(wrongName.json().error).toMatchObject({ code: -32020, data: { reason: "HEADER_MISMATCH" } });
    const noVersionHeader = await post(proxy.url!, { jsonrpc: "2.0", id: 22, method: "tools/list", params: { _meta: envelope } }, { "mcp-method": "tools/list" });
    expect(noVersionHeader.status).toBe(400);
    expect(noVersionHeader.json().error.code).toBe(-32020);
    const future = { ...envelope, "io.modelcontextprotocol/protocolVersion": "2099-01-01" };
    const unsupported = await post(proxy.url!, { jsonrpc: "2.0", id: 23, method: "tools/list", params: { _meta: future } }, { "mcp-protocol-version": "2099-01-01", "mcp-method": "tools/list" });
    expect(unsupported.status).toBe(400);
    expect(unsupported.json().error).toMatchObject({ code: -32022, data: { supported: [MODERN], requested: "2099-01-01", reason: "VERSION_NOT_SUPPORTED" } });
  });

  it("answers legacy-only methods as unknown and keeps serving legacy clients on the same endpoint", async () => {
    const setLevel = await post(proxy.url!, { jsonrpc: "2.0", id: 30, method: "logging/setLevel", params: { level: "info", _meta: envelope } }, headersFor("logging/setLevel"));
    expect(setLevel.status).toBe(404);
    expect(setLevel.json().error.code).toBe(-32601);
    const legacy = await connectClient("http", { url: proxy.url! });
    try {
      expect(textOf(await legacy.client.callTool({ name: "rec__whoami", arguments: {} }))).toBe("rec");
    } finally {
      await legacy.close();
    }
  });
});

describe("a binding with modern: false", () => {
  it("serves legacy clients only: a modern request is answered as a session-less legacy one", async () => {
    const proxy = await startProxyProcess({ ...config(), bindings: [{ transport: "http", port: 0, modern: false }] });
    try {
      const refused = await post(proxy.url!, { jsonrpc: "2.0", id: 1, method: "tools/list", params: { _meta: envelope } }, headersFor("tools/list"));
      expect(refused.status).toBe(400);
      expect(refused.json().error.data.reason).toBe("SESSION_REQUIRED");
    } finally {
      await proxy.stop();
    }
  }, 30_000);
});

describe("a 2026-07-28 client over stdio", () => {
  it("probes with server/discover and calls through the pipeline", async () => {
    const file = writeConfig({ ...config(), bindings: [{ transport: "stdio" }] });
    const client = modernClient();
    await client.connect(new StdioClientTransport({ ...proxyCommand(file), stderr: "pipe" }), { timeout: 30_000 });
    try {
      expect(client.getServerVersion()?.name).toBe("mcp-portcullis");
      expect(textOf(await client.callTool({ name: "rec__search", arguments: { query: "s" } }))).toBe("rec: s");
      expect(textOf(await client.callTool({ name: "rec__ask-elicitation", arguments: { message: "m" } }))).toBe('elicited: accept {"answer":"answer to m"}');
      // A call the client gives up on is cancelled at the backend, not left running there.
      const stop = new AbortController();
      const slow = client.callTool({ name: "rec__slow", arguments: { ms: 60_000 } }, { signal: stop.signal }).catch(() => "aborted");
      await new Promise((resolve) => setTimeout(resolve, 300));
      stop.abort("changed my mind");
      expect(await slow).toBe("aborted");
      const cancelled = async () => JSON.parse(textOf(await client.callTool({ name: "rec__cancellations", arguments: {} }))).length > 0;
      expect(await waitFor(cancelled, 10_000, 200)).toBe(true);
    } finally {
      await client.close();
    }
  }, 30_000);
});

describe("a stdio binding with modern: false", () => {
  it("answers server/discover as unknown, so a client in auto mode falls back to initialize", async () => {
    const file = writeConfig({ ...config(), bindings: [{ transport: "stdio", modern: false }] });
    const client = new Client({ name: "auto", version: "1" }, { capabilities: {}, versionNegotiation: { mode: "auto" } });
    await client.connect(new StdioClientTransport({ ...proxyCommand(file), stderr: "pipe" }), { timeout: 30_000 });
    try {
      expect(client.getNegotiatedProtocolVersion()).not.toBe(MODERN);
      expect(textOf(await client.callTool({ name: "rec__search", arguments: { query: "s" } }))).toBe("rec: s");
    } finally {
      await client.close();
    }
  }, 30_000);
});

describe("two proxy processes sharing protocol.requestStateKey", () => {
  it("completes a retry on the process that did not issue its state", async () => {
    const shared = config({ protocol: { requestStateKey: { env: "ERA_TEST_KEY" } } });
    const [a, b] = await Promise.all([startProxyProcess(shared, { env: { ERA_TEST_KEY: "one shared key, thirty-two bytes or more" } }), startProxyProcess(shared, { env: { ERA_TEST_KEY: "one shared key, thirty-two bytes or more" } })]);
    try {
      const first = (await post(a.url!, callAsk(1), headersFor("tools/call", "rec__ask-elicitation"))).json();
      expect(first.result.resultType).toBe("input_required");
      const retry = callAsk(2, { inputResponses: { "elicitation-0": { action: "accept", content: { answer: "from b" } } }, requestState: first.result.requestState });
      const done = (await post(b.url!, retry, headersFor("tools/call", "rec__ask-elicitation"))).json();
      expect(textOf(done.result)).toBe('elicited: accept {"answer":"from b"}');
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  }, 60_000);
});
