import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectClient, SERVERS, startHttpRecorder, textOf, waitFor } from "../support/mcp-clients.js";
import { type ProxyProcess, startProxyProcess } from "../support/proxy-process.js";

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The reference server in one of its network modes, on a free loopback port. */
async function startEverything(mode: "sse" | "streamableHttp"): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, [SERVERS.everything, mode], { env: { ...process.env, PORT: String(port) }, stdio: "ignore" });
  const url = mode === "sse" ? `http://127.0.0.1:${port}/sse` : `http://127.0.0.1:${port}/mcp`;
  const up = await waitFor(async () => {
    try {
      await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(500) });
      return true;
    } catch {
      return false;
    }
  }, 15_000, 100);
  if (!up) throw new Error(`everything ${mode} did not start`);
  return { url, child };
}

let sse: { url: string; child: ChildProcess };
let http: { url: string; child: ChildProcess };
let proxy: ProxyProcess;

beforeAll(async () => {
  [sse, http] = await Promise.all([startEverything("sse"), startEverything("streamableHttp")]);
  proxy = await startProxyProcess({
    version: 1,
    backends: {
      legacy: { transport: "sse", url: sse.url },
      modern: { transport: "http", url: http.url },
    },
    bindings: [{ transport: "http", port: 0 }],
    logging: { level: "warn" },
  });
}, 40_000);

afterAll(async () => {
  await proxy?.stop();
  sse?.child.kill();
  http?.child.kill();
});

describe("an HTTP backend that restarts", () => {
  it("is noticed on the next call, reconnected with a new session, and serves again", async () => {
    const port = await freePort();
    let remote = await startHttpRecorder("remote", port);
    const own = await startProxyProcess({ version: 1, backends: { remote: { transport: "http", url: remote.url } }, bindings: [{ transport: "http", port: 0 }], logging: { level: "warn" } });
    const c = await connectClient("http", { url: own.url });
    try {
      expect(textOf(await c.client.callTool({ name: "remote__whoami", arguments: {} }))).toBe("remote");
      remote.stop();
      await new Promise((r) => setTimeout(r, 300));
      remote = await startHttpRecorder("remote", port);
      // The restarted server does not know our session: the first call fails naming the backend…
      await expect(c.client.callTool({ name: "remote__whoami", arguments: {} })).rejects.toMatchObject({ code: -32010, message: expect.stringContaining('"remote"') });
      // …and the proxy reconnects by itself.
      const back = await waitFor(async () => {
        try {
          return textOf(await c.client.callTool({ name: "remote__whoami", arguments: {} })) === "remote";
        } catch {
          return false;
        }
      }, 15_000, 200);
      expect(back).toBe(true);
    } finally {
      await c.terminate();
      await own.stop();
      remote.stop();
    }
  });
});

describe("backends over network transports", () => {
  it("bridges a legacy SSE backend and a Streamable HTTP backend into one Streamable HTTP endpoint", async () => {
    const c = await connectClient("http", { url: proxy.url }, { sampleAs: "net model" });
    try {
      const names = (await c.client.listTools()).tools.map((t) => t.name);
      expect(names).toEqual(expect.arrayContaining(["legacy__echo", "modern__echo"]));
      expect(textOf(await c.client.callTool({ name: "legacy__echo", arguments: { message: "over sse" } }))).toBe("Echo: over sse");
      expect(textOf(await c.client.callTool({ name: "modern__echo", arguments: { message: "over http" } }))).toBe("Echo: over http");
      // A server→client request crosses both hops of each network transport.
      const sampled = await c.client.callTool({ name: "modern__trigger-sampling-request", arguments: { prompt: "p", maxTokens: 5 } });
      expect(textOf(sampled)).toContain("net model");
      const progress: number[] = [];
      await c.client.callTool({ name: "legacy__trigger-long-running-operation", arguments: { duration: 0.4, steps: 2 } }, { onprogress: (p) => void progress.push(p.progress) });
      expect(progress.length).toBe(2);
    } finally {
      await c.terminate();
    }
  });
});
