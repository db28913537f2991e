import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectClient, recorderBackend, SERVERS, startHttpServer, textOf, waitFor } from "../support/mcp-clients.js";
import { type ProxyProcess, startProxyProcess } from "../support/proxy-process.js";

// Messages that parse as JSON but are not JSON-RPC, and a line that is not JSON at all.
const GARBAGE = ["null", "[]", "42", '{"foo":1}', '{"jsonrpc":"2.0","id":"gw-1"}', "not json at all", '{"jsonrpc":"2.0","method":42}', '{"jsonrpc":"2.0","id":1,"result":null}'];
// Well-formed JSON-RPC the gateway did not ask for, or with odd params.
const ODD = [
  '{"jsonrpc":"2.0","method":"notifications/progress"}',
  '{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":null}}',
  '{"jsonrpc":"2.0","method":"notifications/message"}',
  '{"jsonrpc":"2.0","method":"notifications/tools/list_changed","params":{}}',
  '{"jsonrpc":"2.0","id":999,"result":{}}',
  '{"jsonrpc":"2.0","id":"gw-999","error":{"code":1,"message":"late"}}',
  '{"jsonrpc":"2.0","id":"x1","method":"sampling/createMessage"}',
  '{"jsonrpc":"2.0","id":"x2","method":"roots/list","params":{}}',
  '{"jsonrpc":"2.0","id":"x3","method":"no/such/method","params":{}}',
];

let proxy: ProxyProcess;
let httpBackend: { url: string; stop(): void };

beforeAll(async () => {
  httpBackend = await startHttpServer(SERVERS.misbehavingHttp, ["null-reply"]);
  proxy = await startProxyProcess({
    version: 1,
    backends: {
      bad: { transport: "stdio", command: process.execPath, args: [SERVERS.misbehaving] },
      badinit: { transport: "stdio", command: process.execPath, args: [SERVERS.misbehaving, "--before-init", "null"] },
      badhttp: { transport: "http", url: httpBackend.url, session: "shared" },
      good: recorderBackend("good"),
    },
    bindings: [{ transport: "http", port: 0 }],
    logging: { level: "info" },
  });
}, 30_000);

afterAll(async () => {
  await proxy?.stop();
  httpBackend?.stop();
});

describe("a backend that writes messages that are not JSON-RPC", () => {
  it("drops them with a log line, and the gateway and every client go on", async () => {
    const c = await connectClient("http", { url: proxy.url });
    const other = await connectClient("http", { url: proxy.url });
    try {
      const emitted = await c.client.callTool({ name: "bad__emit", arguments: { lines: GARBAGE } });
      expect(textOf(emitted)).toBe("emitted");
      expect(textOf(await c.client.callTool({ name: "bad__echo", arguments: {} }))).toBe("echo");
      expect(textOf(await other.client.callTool({ name: "good__whoami", arguments: {} }))).toBe("good");
      expect(proxy.child.exitCode).toBeNull();
      expect(await waitFor(() => /not JSON-RPC/.test(proxy.stderr()) && /not JSON\b/.test(proxy.stderr()), 5000)).toBe(true);
      expect(proxy.stderr()).toContain('{\\"foo\\":1}');
    } finally {
      await Promise.all([c.close(), other.close()]);
    }
  });

  it("survives well-formed messages it did not ask for", async () => {
    const c = await connectClient("http", { url: proxy.url });
    try {
      expect(textOf(await c.client.callTool({ name: "bad__emit", arguments: { lines: ODD } }))).toBe("emitted");
      await new Promise((r) => setTimeout(r, 300));
      expect(textOf(await c.client.callTool({ name: "bad__echo", arguments: {} }))).toBe("echo");
      expect(proxy.child.exitCode).toBeNull();
    } finally {
      await c.close();
    }
  });

  it("survives one during the handshake", async () => {
    const c = await connectClient("http", { url: proxy.url });
    try {
      const names = (await c.client.listTools()).tools.map((t) => t.name);
      expect(names).toContain("badinit__echo");
      expect(textOf(await c.client.callTool({ name: "badinit__echo", arguments: {} }))).toBe("echo");
    } finally {
      await c.close();
    }
  });

  it("bounds the log lines however much garbage comes", async () => {
    const c = await connectClient("http", { url: proxy.url });
    try {
      const before = proxy.stderr().split("\n").length;
      await c.client.callTool({ name: "bad__emit", arguments: { lines: Array.from({ length: 500 }, () => "null") } });
      expect(textOf(await c.client.callTool({ name: "bad__echo", arguments: {} }))).toBe("echo");
      await new Promise((r) => setTimeout(r, 300));
      expect(proxy.stderr().split("\n").length - before).toBeLessThan(30);
    } finally {
      await c.close();
    }
  });

  it("fails only the call a Streamable HTTP backend answers with `null`, keeping its session", async () => {
    const c = await connectClient("http", { url: proxy.url });
    try {
      await expect(c.client.callTool({ name: "badhttp__null", arguments: {} })).rejects.toMatchObject({
        code: -32603,
        message: expect.stringContaining('backend "badhttp"'),
        data: expect.objectContaining({ reason: "BACKEND_INVALID_MESSAGE" }),
      });
      expect(textOf(await c.client.callTool({ name: "badhttp__echo", arguments: {} }))).toBe("echo");
      expect(textOf(await c.client.callTool({ name: "badhttp__initializes", arguments: {} }))).toBe("1");
    } finally {
      await c.close();
    }
  });
});
