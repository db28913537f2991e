import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectClient, recorderBackend, waitFor } from "../support/mcp-clients.js";
import { type ProxyProcess, startProxyProcess } from "../support/proxy-process.js";

// One slow or hanging backend must not hold up every client's initialize: the client is
// answered within limits.initializeWaitMs with the backends that are up, and a backend that
// comes up later joins its lists with list_changed.

let proxy: ProxyProcess;

beforeAll(async () => {
  proxy = await startProxyProcess({
    version: 1,
    backends: {
      quick: recorderBackend("quick"),
      late: recorderBackend("late", { env: { RECORDER_START_DELAY_MS: "8000" } }),
      // Reads its stdin and never answers: it fails only after its 30 s start-up timeout.
      mute: { transport: "stdio", command: process.execPath, args: ["-e", "process.stdin.resume(); setInterval(() => {}, 1 << 30)"] },
    },
    bindings: [{ transport: "http", port: 0 }],
    limits: { initializeWaitMs: 3000 },
    logging: { level: "warn" },
  });
}, 30_000);

afterAll(async () => {
  await proxy?.stop();
});

describe("initialize with backends that are slow to start", () => {
  it("answers within the bound with the backends that are up, then adds a latecomer with list_changed", async () => {
    const started = Date.now();
    const c = await connectClient("http", { url: proxy.url });
    try {
      const took = Date.now() - started;
      expect(took).toBeLessThan(7000);
      const names = (await c.client.listTools()).tools.map((t) => t.name);
      expect(names).toContain("quick__whoami");
      expect(names).not.toContain("late__whoami");
      expect(await waitFor(() => c.notifications.includes("notifications/tools/list_changed"), 15_000)).toBe(true);
      expect((await c.client.listTools()).tools.map((t) => t.name)).toEqual(expect.arrayContaining(["quick__whoami", "late__whoami"]));
      await expect(c.client.callTool({ name: "mute__anything", arguments: {} })).rejects.toMatchObject({ code: -32010, message: expect.stringContaining('backend "mute"') });
    } finally {
      await c.terminate();
    }
  }, 30_000);
});
