import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectClient, isAlive, recorderBackend, SERVERS, textOf, waitFor } from "../support/mcp-clients.js";
import { type ProxyProcess, startProxyProcess } from "../support/proxy-process.js";

let proxy: ProxyProcess;

beforeAll(async () => {
  proxy = await startProxyProcess({
    version: 1,
    backends: {
      capped: recorderBackend("capped", { maxSessions: 1 }),
      sleepy: recorderBackend("sleepy", { timeouts: { idleMs: 400 } }),
      tardy: recorderBackend("tardy", { timeouts: { callMs: 300 } }),
      missing: { transport: "stdio", command: "/nonexistent/mcp-server", timeouts: { startupMs: 2000 } },
    },
    bindings: [{ transport: "http", port: 0 }],
    logging: { level: "warn" },
  });
}, 30_000);

afterAll(async () => {
  await proxy?.stop();
});

describe("upstream sessions are bounded", () => {
  it("gives a backend no more sessions than maxSessions, and a waiting client gets it once one frees up", async () => {
    const first = await connectClient("http", { url: proxy.url });
    const second = await connectClient("http", { url: proxy.url });
    try {
      expect(textOf(await first.client.callTool({ name: "capped__whoami", arguments: {} }))).toBe("capped");
      // Listing costs no session: the second client lists capped's tools from the gateway's catalog…
      const secondTools = (await second.client.listTools()).tools.map((t) => t.name);
      expect(secondTools).toContain("capped__whoami");
      expect(secondTools).toContain("sleepy__whoami");
      // …and is refused when it first uses capped, whose one session the first client holds;
      // its list keeps the catalog's listing meanwhile (nothing about capped changed).
      await expect(second.client.callTool({ name: "capped__whoami", arguments: {} })).rejects.toMatchObject({
        code: -32010,
        message: expect.stringContaining('backend "capped" is unavailable; it has reached its limit of 1 sessions (maxSessions)'),
      });
      expect((await second.client.listTools()).tools.map((t) => t.name)).toContain("capped__whoami");
      await first.terminate();
      // Once the first client's session is gone, the second's own session starts (with backoff).
      const call = () => second.client.callTool({ name: "capped__whoami", arguments: {} }).then(textOf, () => "refused");
      expect(await waitFor(async () => (await call()) === "capped", 15_000, 300)).toBe(true);
    } finally {
      await second.terminate();
    }
  });

  it("closes an idle upstream session and reconnects it on the next call", async () => {
    const c = await connectClient("http", { url: proxy.url });
    try {
      const pid = Number(textOf(await c.client.callTool({ name: "sleepy__pid", arguments: {} })));
      expect(await waitFor(() => !isAlive(pid), 5000)).toBe(true);
      expect((await c.client.listTools()).tools.map((t) => t.name)).toContain("sleepy__pid");
      const again = Number(textOf(await c.client.callTool({ name: "sleepy__pid", arguments: {} })));
      expect(again).not.toBe(pid);
      expect(isAlive(again)).toBe(true);
    } finally {
      await c.terminate();
    }
  });
});

describe("time limits and start-up failures", () => {
  it("answers a call the backend is too slow for with an error naming it, and cancels it upstream", async () => {
    const c = await connectClient("http", { url: proxy.url });
    try {
      await expect(c.client.callTool({ name: "tardy__slow", arguments: { ms: 5000 } })).rejects.toMatchObject({
        code: -32011,
        message: 'backend "tardy" did not answer tools/call within 300 ms',
      });
      const recorded = await waitFor(async () => textOf(await c.client.callTool({ name: "tardy__cancellations", arguments: {} })).includes("timed out"), 3000);
      expect(recorded).toBe(true);
    } finally {
      await c.terminate();
    }
  });

  it("does not count the time a person takes to answer an elicitation against the call", async () => {
    const c = await connectClient("http", { url: proxy.url }, { elicitAnswer: "slowly", elicitDelayMs: 900 });
    try {
      const result = await c.client.callTool({ name: "tardy__ask-elicitation", arguments: { message: "take your time" } });
      expect(textOf(result)).toBe('elicited: accept {"answer":"slowly"}');
    } finally {
      await c.terminate();
    }
  });

  it("serves the other backends when one cannot start", async () => {
    const c = await connectClient("http", { url: proxy.url });
    try {
      const names = (await c.client.listTools()).tools.map((t) => t.name);
      expect(names.some((n) => n.startsWith("missing__"))).toBe(false);
      expect(textOf(await c.client.callTool({ name: "sleepy__whoami", arguments: {} }))).toBe("sleepy");
      expect(await waitFor(() => /"backend":"missing".*backend failed to start/.test(proxy.stderr()), 5000)).toBe(true);
    } finally {
      await c.terminate();
    }
  });
});

describe("a shared backend", () => {
  it("serves every client over one upstream connection, closed when the last client leaves", async () => {
    const shared = await startProxyProcess({
      version: 1,
      backends: { pool: recorderBackend("pool", { session: "shared" }) },
      bindings: [{ transport: "http", port: 0 }],
      logging: { level: "warn" },
    });
    try {
      const ann = await connectClient("http", { url: shared.url }, { sampleAs: "ann" });
      const bob = await connectClient("http", { url: shared.url }, { sampleAs: "bob" });
      const pidOf = async (c: typeof ann) => Number(textOf(await c.client.callTool({ name: "pool__pid", arguments: {} })));
      const pid = await pidOf(ann);
      expect(await pidOf(bob)).toBe(pid);
      const [a, b] = await Promise.all([
        ann.client.callTool({ name: "pool__search", arguments: { query: "from ann" } }),
        bob.client.callTool({ name: "pool__search", arguments: { query: "from bob" } }),
      ]);
      expect([textOf(a), textOf(b)]).toEqual(["pool: from ann", "pool: from bob"]);
      // A request the backend makes during a call goes to the client whose call it is.
      expect(textOf(await bob.client.callTool({ name: "pool__ask-sampling", arguments: { prompt: "x" } }))).toBe("sampled: bob");
      await ann.terminate();
      expect(isAlive(pid)).toBe(true);
      expect(await pidOf(bob)).toBe(pid);
      await bob.terminate();
      expect(await waitFor(() => !isAlive(pid), 5000)).toBe(true);
    } finally {
      await shared.stop();
    }
  });
});
