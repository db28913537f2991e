import { request } from "node:http";
import { connect, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnCli } from "../support/cli.js";
import { connectClient, recorderBackend, textOf, waitFor } from "../support/mcp-clients.js";
import { type ProxyProcess, startProxyProcess, writeConfig } from "../support/proxy-process.js";
import { initializeRequest } from "../support/raw-http.js";

// Listening beyond loopback must be asked for: without an auth section in the config, `start`
// (and `validate`) refuse it. With `auth: { type: "none" }` it serves, and the Host header is
// still checked against DNS rebinding: loopback names, IP literals and `allowedHosts` only.

const backends = { alpha: recorderBackend("alpha") };

describe("a binding beyond loopback", () => {
  it("is refused by start and by validate when the config has no auth section", () => {
    const file = writeConfig({ version: 1, backends, bindings: [{ transport: "http", host: "0.0.0.0", port: 0 }] });
    const started = spawnCli(["start", "--config", file]);
    expect(started.code).toBe(1);
    expect(started.stderr).toContain("bindings[0].host");
    expect(started.stderr).toContain('listens on 0.0.0.0, beyond loopback, but the config has no top-level auth section; add one (auth: { type: "bearer", tokens: [...] }, or auth: { type: "none" }');
    const validated = spawnCli(["validate", "--config", file]);
    expect(validated.code).toBe(1);
    expect(validated.stderr).toContain("bindings[0].host");
  });

  it("is refused by start when --host asks for it on a config without an auth section", () => {
    const file = writeConfig({ version: 1, backends, bindings: [{ transport: "http", port: 0 }] });
    const started = spawnCli(["start", "--config", file, "--host", "0.0.0.0"]);
    expect(started.code).toBe(1);
    expect(started.stderr).toContain("refusing to start: --host 0.0.0.0 is beyond loopback, but the config has no top-level auth section");
  });

  describe('with auth: { type: "none" }', () => {
    let proxy: ProxyProcess;
    beforeAll(async () => {
      proxy = await startProxyProcess({
        version: 1,
        backends,
        auth: { type: "none" },
        bindings: [{ transport: "http", host: "0.0.0.0", port: 0, allowedHosts: ["mcp.test"] }],
        limits: { maxConnectionsPerAddress: 5 },
        logging: { level: "warn" },
      });
    }, 30_000);
    afterAll(async () => {
      await proxy?.stop();
    });

    const local = () => proxy.url!.replace("0.0.0.0", "127.0.0.1");

    /** Initializes with a given Host header on a connection of its own; returns the HTTP status and body. */
    const withHost = (host: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request(local(), { method: "POST", agent: false, headers: { host, "content-type": "application/json", accept: "application/json, text/event-stream" } }, (res) => {
          let body = "";
          res.on("data", (c: Buffer) => (body += c.toString()));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on("error", reject);
        req.end(JSON.stringify(initializeRequest()));
      });

    it("serves clients", async () => {
      const c = await connectClient("http", { url: local() });
      try {
        expect(textOf(await c.client.callTool({ name: "alpha__whoami", arguments: {} }))).toBe("alpha");
      } finally {
        await c.close();
      }
    });

    it("accepts loopback names, IP literals and allowedHosts in the Host header, and refuses other names (403 HOST_NOT_ALLOWED)", async () => {
      const port = new URL(local()).port;
      for (const host of [`localhost:${port}`, `192.168.7.7:${port}`, `mcp.test:${port}`, `MCP.TEST:${port}`]) expect((await withHost(host)).status).toBe(200);
      for (const host of [`attacker.example:${port}`, `mcp.test.attacker.example:${port}`]) {
        const refused = await withHost(host);
        expect(refused.status).toBe(403);
        expect(JSON.parse(refused.body)).toMatchObject({ error: { code: -32600, data: { reason: "HOST_NOT_ALLOWED" } } });
      }
    });

    it("caps the connections from one address at maxConnectionsPerAddress", async () => {
      const url = new URL(local());
      const sockets: Socket[] = [];
      try {
        for (let i = 0; i < 5; i++) {
          const socket = connect(Number(url.port), "127.0.0.1");
          socket.on("error", () => undefined);
          await new Promise((resolve) => socket.once("connect", resolve));
          sockets.push(socket);
        }
        await new Promise((r) => setTimeout(r, 200));
        const refused = await withHost(`localhost:${url.port}`);
        expect(refused.status).toBe(503);
        expect(JSON.parse(refused.body)).toMatchObject({ error: { data: { reason: "TOO_MANY_CONNECTIONS" } } });
        expect(await waitFor(() => /"limit":"per-address","reason":"TOO_MANY_CONNECTIONS"/.test(proxy.stderr()), 5000)).toBe(true);
      } finally {
        for (const socket of sockets) socket.destroy();
      }
    });
  });
});
