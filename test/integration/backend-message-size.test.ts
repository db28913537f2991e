import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectClient, SERVERS, startHttpServer, textOf } from "../support/mcp-clients.js";
import { type ProxyProcess, startProxyProcess } from "../support/proxy-process.js";

const MiB = 1024 * 1024;
let proxy: ProxyProcess;
let remote: { url: string; stop(): void };

beforeAll(async () => {
  remote = await startHttpServer(SERVERS.misbehavingHttp, ["null-reply"]);
  proxy = await startProxyProcess({
    version: 1,
    backends: {
      big: { transport: "stdio", command: process.execPath, args: [SERVERS.misbehaving] },
      small: { transport: "stdio", command: process.execPath, args: [SERVERS.misbehaving], maxMessageBytes: 100_000 },
      remote: { transport: "http", url: remote.url, session: "shared", maxMessageBytes: 100_000 },
    },
    bindings: [{ transport: "http", port: 0 }],
    logging: { level: "warn" },
  });
}, 30_000);

afterAll(async () => {
  await proxy?.stop();
  remote?.stop();
});

describe("a backend message over its size limit", () => {
  it("fails that call naming the backend and the size, and the backend keeps running (default 16 MiB)", async () => {
    const c = await connectClient("http", { url: proxy.url });
    try {
      const pid = textOf(await c.client.callTool({ name: "big__pid", arguments: {} }));
      await expect(c.client.callTool({ name: "big__big", arguments: { bytes: 17 * MiB } })).rejects.toMatchObject({
        code: -32015,
        message: expect.stringMatching(/backend "big" answered with a message of 178\d{5} bytes, over its limit of 16777216 bytes/),
        data: expect.objectContaining({ reason: "BACKEND_MESSAGE_TOO_LARGE", backend: "big" }),
      });
      expect(textOf(await c.client.callTool({ name: "big__echo", arguments: {} }))).toBe("echo");
      expect(textOf(await c.client.callTool({ name: "big__pid", arguments: {} }))).toBe(pid);
    } finally {
      await c.close();
    }
  }, 30_000);

  it("follows the backend's own maxMessageBytes", async () => {
    const c = await connectClient("http", { url: proxy.url });
    try {
      expect(textOf(await c.client.callTool({ name: "small__big", arguments: { bytes: 90_000 } }))).toHaveLength(90_000);
      await expect(c.client.callTool({ name: "small__big", arguments: { bytes: 200_000 } })).rejects.toMatchObject({
        code: -32015,
        message: expect.stringContaining("over its limit of 100000 bytes"),
      });
      expect(textOf(await c.client.callTool({ name: "small__echo", arguments: {} }))).toBe("echo");
    } finally {
      await c.close();
    }
  });

  it("applies to a Streamable HTTP backend's JSON answers too, with or without a Content-Length", async () => {
    const c = await connectClient("http", { url: proxy.url });
    try {
      expect(textOf(await c.client.callTool({ name: "remote__big", arguments: { bytes: 90_000 } }))).toHaveLength(90_000);
      for (const name of ["remote__big", "remote__big-stream"]) {
        await expect(c.client.callTool({ name, arguments: { bytes: 200_000 } })).rejects.toMatchObject({
          code: -32015,
          message: expect.stringMatching(/backend "remote" answered with a message of \d+ bytes or more, over its limit of 100000 bytes/),
          data: expect.objectContaining({ reason: "BACKEND_MESSAGE_TOO_LARGE" }),
        });
      }
      expect(textOf(await c.client.callTool({ name: "remote__echo", arguments: {} }))).toBe("echo");
      expect(textOf(await c.client.callTool({ name: "remote__initializes", arguments: {} }))).toBe("1");
    } finally {
      await c.close();
    }
  });
});
