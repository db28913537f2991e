import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectClient, SERVERS, startHttpServer, waitFor } from "../support/mcp-clients.js";
import { type ProxyProcess, startProxyProcess } from "../support/proxy-process.js";

const TOKEN = "sekrit-token-4b1d";
let proxy: ProxyProcess;
let locked: { url: string; stop(): void };
let revoked: { url: string; stop(): void };
let chatty: { url: string; stop(): void };

const postsTo = async (server: { url: string }) => Number(await (await fetch(new URL("/posts", server.url))).text());

beforeAll(async () => {
  locked = await startHttpServer(SERVERS.misbehavingHttp, ["echo-401"]);
  revoked = await startHttpServer(SERVERS.misbehavingHttp, ["echo-401-calls"]);
  chatty = await startHttpServer(SERVERS.misbehavingHttp, ["null-reply"]);
  const headers = { Authorization: { env: "BACKEND_AUTH" } };
  proxy = await startProxyProcess(
    {
      version: 1,
      backends: {
        locked: { transport: "http", url: locked.url, headers, session: "shared" },
        lockedsse: { transport: "sse", url: locked.url, headers, session: "shared" },
        revoked: { transport: "http", url: revoked.url, headers, session: "shared" },
        chatty: { transport: "http", url: chatty.url, headers, session: "shared" },
      },
      bindings: [{ transport: "http", port: 0 }],
      logging: { level: "debug" },
    },
    { env: { BACKEND_AUTH: `Bearer ${TOKEN}` } },
  );
}, 30_000);

afterAll(async () => {
  await proxy?.stop();
  locked?.stop();
  revoked?.stop();
  chatty?.stop();
});

describe("a backend that echoes the proxy's credentials in its errors", () => {
  it("fails a call it answers with HTTP 500 alone, with the standard reason phrase and no restart", async () => {
    const c = await connectClient("http", { url: proxy.url });
    try {
      const failure = await c.client.callTool({ name: "chatty__fail500", arguments: {} }).catch((error: unknown) => error);
      expect(failure).toMatchObject({ code: -32010, message: 'backend "chatty" failed this request: HTTP 500 Internal Server Error' });
      expect(JSON.stringify(failure)).not.toContain(TOKEN);
      // The session was kept: the next call works without a second initialize.
      const initializes = await c.client.callTool({ name: "chatty__initializes", arguments: {} });
      expect(initializes.content).toEqual([{ type: "text", text: "1" }]);
      expect(proxy.stderr()).not.toContain(TOKEN);
    } finally {
      await c.close();
    }
  });

  it("passes the backend's own error on with its code, its credentials masked", async () => {
    const c = await connectClient("http", { url: proxy.url });
    try {
      const failure = await c.client.callTool({ name: "chatty__leak", arguments: {} }).catch((error: unknown) => error);
      expect(failure).toMatchObject({ code: -32000, message: "bad auth [redacted]", data: { auth: "[redacted]" } });
      expect(JSON.stringify(failure)).not.toContain(TOKEN);
    } finally {
      await c.close();
    }
  });
});

describe("a backend that refuses the proxy's credentials and echoes them", () => {
  it("is reported as a credential problem naming the backend, without the secret, and without a restart", async () => {
    const c = await connectClient("http", { url: proxy.url });
    try {
      const refusal = await c.client.callTool({ name: "revoked__echo", arguments: {} }).catch((error: unknown) => error);
      expect(refusal).toMatchObject({
        code: -32014,
        message: expect.stringContaining('backend "revoked" refused the proxy\'s credentials (HTTP 401)'),
        data: expect.objectContaining({ backend: "revoked", status: 401, reason: "BACKEND_CREDENTIALS" }),
      });
      expect(JSON.stringify(refusal)).not.toContain(TOKEN);
      // No restart: the next call is one POST, with no new initialize before it.
      const before = await postsTo(revoked);
      await expect(c.client.callTool({ name: "revoked__echo", arguments: {} })).rejects.toMatchObject({ code: -32014 });
      await new Promise((r) => setTimeout(r, 700));
      expect((await postsTo(revoked)) - before).toBe(1);
      expect(proxy.stderr()).not.toMatch(/"backend":"revoked"[^\n]*backend down/);
    } finally {
      await c.close();
    }
  });

  it("at start-up: never puts the secret into a client's error or the log, and backs off", async () => {
    const c = await connectClient("http", { url: proxy.url });
    try {
      const error = await c.client.callTool({ name: "locked__echo", arguments: {} }).catch((e: unknown) => e);
      expect(error).toMatchObject({ message: expect.stringContaining('"locked"') });
      expect(JSON.stringify(error)).not.toContain(TOKEN);
      for (const name of ["locked", "lockedsse"]) {
        const refused = new RegExp(`"backend":"${name}"[^\\n]*refused the proxy's credentials \\(HTTP 401\\)`);
        expect(await waitFor(() => refused.test(proxy.stderr()), 5000)).toBe(true);
      }
      const attempts = await postsTo(locked);
      await new Promise((r) => setTimeout(r, 2000));
      // Exponential backoff: a few attempts in two seconds, not a spin.
      expect((await postsTo(locked)) - attempts).toBeLessThanOrEqual(3);
      expect(proxy.stderr()).not.toContain(TOKEN);
    } finally {
      await c.close();
    }
  });
});
