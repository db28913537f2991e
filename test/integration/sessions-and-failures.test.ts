import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectClient, isAlive, recorderBackend, SERVERS, textOf, waitFor } from "../support/mcp-clients.js";
import { type ProxyProcess, startProxyProcess } from "../support/proxy-process.js";

let proxy: ProxyProcess;
/** While this file exists, the alpha backend exits as soon as it starts. */
const holdDown = join(mkdtempSync(join(tmpdir(), "mcp-proxy-hold-")), "alpha-down");

beforeAll(async () => {
  proxy = await startProxyProcess({
    version: 1,
    backends: {
      alpha: recorderBackend("alpha", { env: { RECORDER_DOWN_WHILE: holdDown } }),
      everything: { transport: "stdio", command: process.execPath, args: [SERVERS.everything, "stdio"] },
    },
    bindings: [{ transport: "http", port: 0 }],
    limits: { maxBodyBytes: 4096 },
    logging: { level: "warn" },
  });
}, 30_000);

afterAll(async () => {
  await proxy?.stop();
});

describe("client sessions are isolated", () => {
  it("sends each backend request for sampling and elicitation to the one client it belongs to", async () => {
    const ann = await connectClient("http", { url: proxy.url }, { name: "ann", sampleAs: "ann's model", elicitAnswer: "ann's answer" });
    const bob = await connectClient("http", { url: proxy.url }, { name: "bob", sampleAs: "bob's model", elicitAnswer: "bob's answer" });
    try {
      const [a1, b1, a2, b2] = await Promise.all([
        ann.client.callTool({ name: "alpha__ask-sampling", arguments: { prompt: "hi" } }),
        bob.client.callTool({ name: "alpha__ask-sampling", arguments: { prompt: "hi" } }),
        ann.client.callTool({ name: "alpha__ask-elicitation", arguments: { message: "name?" } }),
        bob.client.callTool({ name: "alpha__ask-elicitation", arguments: { message: "name?" } }),
      ]);
      expect(textOf(a1)).toBe("sampled: ann's model");
      expect(textOf(b1)).toBe("sampled: bob's model");
      expect(textOf(a2)).toBe('elicited: accept {"answer":"ann\'s answer"}');
      expect(textOf(b2)).toBe('elicited: accept {"answer":"bob\'s answer"}');
      // The reference server's sampling tool, through the same path.
      const sampled = await ann.client.callTool({ name: "everything__trigger-sampling-request", arguments: { prompt: "p", maxTokens: 10 } });
      expect(textOf(sampled)).toContain("ann's model");
    } finally {
      await Promise.all([ann.close(), bob.close()]);
    }
  });

  it("gives each client its own backend process", async () => {
    const one = await connectClient("http", { url: proxy.url });
    const two = await connectClient("http", { url: proxy.url });
    try {
      const pid = async (c: typeof one) => Number(textOf(await c.client.callTool({ name: "alpha__pid", arguments: {} })));
      const [p1, p2] = [await pid(one), await pid(two)];
      expect(p1).not.toBe(p2);
      await one.terminate();
      // Closing the client session (DELETE) ends its upstream session and its child process.
      expect(await waitFor(() => !isAlive(p1), 10_000)).toBe(true);
      expect(isAlive(p2)).toBe(true);
    } finally {
      await two.close();
    }
  });
});

describe("a backend that dies", () => {
  it("leaves the surface with list_changed, fails fast naming itself, and comes back after a restart", async () => {
    const c = await connectClient("http", { url: proxy.url });
    try {
      await c.client.subscribeResource({ uri: "recorder://alpha/info" });
      await c.client.setLoggingLevel("warning");
      const pid = Number(textOf(await c.client.callTool({ name: "alpha__pid", arguments: {} })));
      // Held down until the outage has been looked at: every restart attempt exits at once.
      writeFileSync(holdDown, "down");
      process.kill(pid, "SIGKILL");
      expect(await waitFor(() => c.notifications.includes("notifications/tools/list_changed"), 5000)).toBe(true);
      const listed = (await c.client.listTools()).tools.map((t) => t.name);
      expect(listed).not.toContain("alpha__whoami");
      expect(listed).toContain("everything__echo");
      await expect(c.client.callTool({ name: "alpha__whoami", arguments: {} })).rejects.toMatchObject({ code: -32010, message: expect.stringContaining('backend "alpha"') });
      rmSync(holdDown);
      // The other backend keeps answering throughout.
      expect(textOf(await c.client.callTool({ name: "everything__echo", arguments: { message: "still here" } }))).toBe("Echo: still here");
      const back = await waitFor(async () => (await c.client.listTools()).tools.some((t) => t.name === "alpha__whoami"), 15_000, 200);
      expect(back).toBe(true);
      expect(textOf(await c.client.callTool({ name: "alpha__whoami", arguments: {} }))).toBe("alpha");
      const newPid = Number(textOf(await c.client.callTool({ name: "alpha__pid", arguments: {} })));
      expect(newPid).not.toBe(pid);
      // The new process is told what the client had asked of the old one.
      expect(JSON.parse(textOf(await c.client.callTool({ name: "alpha__state", arguments: {} })))).toEqual({ subscriptions: ["recorder://alpha/info"], logLevel: "warning" });
    } finally {
      await c.close();
    }
  });
});

describe("bad input gets a precise answer", () => {
  const post = (body: string, headers: Record<string, string> = {}) =>
    fetch(proxy.url!, { method: "POST", headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers }, body });

  it("answers malformed JSON with a parse error", async () => {
    const res = await post("{not json");
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ jsonrpc: "2.0", id: null, error: { code: -32700 } });
  });

  it("refuses an oversized body with 413 before parsing it", async () => {
    const res = await post(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { pad: "x".repeat(10_000) } }));
    expect(res.status).toBe(413);
  });

  it("answers a request naming an unknown session with 404", async () => {
    const res = await post(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }), { "mcp-session-id": "no-such-session" });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: -32001, message: "Session not found" } });
  });

  it("refuses a browser page from another origin", async () => {
    const res = await post(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: {} }), { origin: "https://evil.example" });
    expect(res.status).toBe(403);
  });

  it("refuses a Host that only looks like loopback (DNS rebinding)", async () => {
    // fetch may not set Host; a plain node:http request can, as a rebinding browser effectively does.
    const statusWithHost = (host: string) =>
      new Promise<number>((resolve, reject) => {
        const req = request(proxy.url!, { method: "POST", headers: { host, "content-type": "application/json", accept: "application/json, text/event-stream" } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on("error", reject);
        req.end(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: {} }));
      });
    expect(await statusWithHost("127.attacker.example:8080")).toBe(403);
    expect(await statusWithHost("127.0.0.1.nip.io")).toBe(403);
    expect(await statusWithHost(new URL(proxy.url!).host)).toBe(200);
  });

  it("answers a cursor it never issued with -32602", async () => {
    const c = await connectClient("http", { url: proxy.url });
    try {
      await expect(c.client.listTools({ cursor: "stale" })).rejects.toMatchObject({ code: -32602 });
    } finally {
      await c.close();
    }
  });
});

describe("shutdown", () => {
  it("closes every backend child process on SIGTERM", async () => {
    const own = await startProxyProcess({
      version: 1,
      backends: { alpha: recorderBackend("alpha") },
      bindings: [{ transport: "http", port: 0 }],
      logging: { level: "warn" },
    });
    const c = await connectClient("http", { url: own.url });
    const pid = Number(textOf(await c.client.callTool({ name: "alpha__pid", arguments: {} })));
    expect(isAlive(pid)).toBe(true);
    expect(await own.stop()).toBe(0);
    expect(await waitFor(() => !isAlive(pid), 5000)).toBe(true);
    await c.close().catch(() => undefined);
  });
});
