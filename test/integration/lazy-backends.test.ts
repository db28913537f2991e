import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectClient, recorderBackend, SERVERS, textOf } from "../support/mcp-clients.js";
import { descendants } from "../support/process-tree.js";
import { type ProxyProcess, startProxyProcess } from "../support/proxy-process.js";

let proxy: ProxyProcess;

beforeAll(async () => {
  proxy = await startProxyProcess({
    version: 1,
    backends: {
      solo: recorderBackend("solo", { env: { RECORDER_PERSONAL_TOOL: "1" } }),
      everything: { transport: "stdio", command: process.execPath, args: [SERVERS.everything, "stdio"] },
    },
    bindings: [{ transport: "http", port: 0 }],
    limits: { clientSessionIdleMs: 1000 },
    logging: { level: "warn" },
  });
}, 30_000);

afterAll(async () => {
  await proxy?.stop();
});

/** A stdio backend runs as two processes: its `sh` guard and the server. */
const PER_BACKEND = 2;

describe("per-client backends start on first use", () => {
  it("lists from a catalog without a process of the client's own, and starts one on the first call", async () => {
    const first = await connectClient("http", { url: proxy.url });
    const second = await connectClient("http", { url: proxy.url });
    try {
      const listing = descendants(proxy.child.pid!).length;
      expect((await second.client.listTools()).tools.map((t) => t.name)).toContain("solo__pid");
      expect(descendants(proxy.child.pid!).length).toBe(listing);
      const pid = Number(textOf(await first.client.callTool({ name: "solo__pid", arguments: {} })));
      expect(descendants(proxy.child.pid!)).toContain(pid);
      expect(descendants(proxy.child.pid!).length).toBe(listing + PER_BACKEND);
      expect(Number(textOf(await second.client.callTool({ name: "solo__pid", arguments: {} })))).not.toBe(pid);
    } finally {
      await Promise.all([first.terminate(), second.terminate()]);
    }
  });

  it("lists what the backend offers a client with the same capabilities (everything's sampling tool only to clients that sample)", async () => {
    const sampler = await connectClient("http", { url: proxy.url }, { sampleAs: "model" });
    const plain = await connectClient("http", { url: proxy.url });
    try {
      expect((await sampler.client.listTools()).tools.map((t) => t.name)).toContain("everything__trigger-sampling-request");
      expect((await plain.client.listTools()).tools.map((t) => t.name)).not.toContain("everything__trigger-sampling-request");
      const sampled = await sampler.client.callTool({ name: "everything__trigger-sampling-request", arguments: { prompt: "p", maxTokens: 5 } });
      expect(textOf(sampled)).toContain("model");
    } finally {
      await Promise.all([sampler.terminate(), plain.terminate()]);
    }
  });

  it("starts the client's own session for a name the catalog did not list but the backend's namespace claims, and resolves it there", async () => {
    const c = await connectClient("http", { url: proxy.url }, { name: "ann" });
    try {
      expect((await c.client.listTools()).tools.map((t) => t.name)).not.toContain("solo__personal");
      expect(textOf(await c.client.callTool({ name: "solo__personal", arguments: {} }))).toBe("personal: ann");
      expect((await c.client.listTools()).tools.map((t) => t.name)).toContain("solo__personal");
      expect(c.notifications).toContain("notifications/tools/list_changed");
      await expect(c.client.callTool({ name: "solo__nonexistent", arguments: {} })).rejects.toMatchObject({ code: -32602, message: "Unknown tool: solo__nonexistent" });
    } finally {
      await c.terminate();
    }
  });
});

describe("sessions their clients left", () => {
  const initialize = { jsonrpc: "2.0", id: 0, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "raw", version: "1" } } };
  const post = (body: unknown, sessionId?: string) =>
    fetch(proxy.url!, { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...(sessionId ? { "mcp-session-id": sessionId } : {}) } });

  it("are reclaimed once they have had no stream and no request for clientSessionIdleMs; the client then gets 404", async () => {
    const init = await post(initialize);
    const sessionId = init.headers.get("mcp-session-id")!;
    await init.text();
    expect((await post({ jsonrpc: "2.0", id: 1, method: "tools/list" }, sessionId)).status).toBe(200);
    // 1 s idle, swept every second: gone within 2 s; asking earlier would count as a request,
    // so wait with room for a busy machine's timers.
    await new Promise((r) => setTimeout(r, 4000));
    const answer = await post({ jsonrpc: "2.0", id: 2, method: "tools/list" }, sessionId);
    expect(answer.status).toBe(404);
    expect(await answer.json()).toMatchObject({ error: { code: -32001, message: "Session not found", data: { reason: "SESSION_NOT_FOUND" } } });
  });

  it("are kept while the client holds its stream open, however quiet", async () => {
    const c = await connectClient("http", { url: proxy.url });
    try {
      await new Promise((r) => setTimeout(r, 3000));
      expect((await c.client.listTools()).tools.map((t) => t.name)).toContain("solo__pid");
    } finally {
      await c.terminate();
    }
  });
});
