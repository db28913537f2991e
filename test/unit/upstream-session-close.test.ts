import { describe, expect, it } from "vitest";
import { UpstreamSession } from "../../src/backends/upstream-session.js";
import { validateConfig } from "../../src/config/index.js";
import { REPO_ROOT } from "../support/cli.js";

// A client's own backend is started on its first call; if the client leaves while that
// backend is still starting, the start must end, or the call (and whatever it holds: a
// concurrency place, a circuit's trial) waits forever.

describe("an upstream session closed during its handshake", () => {
  it("fails its connect instead of leaving it pending forever", async () => {
    const { config } = validateConfig(
      { version: 1, backends: { slow: { transport: "stdio", command: process.execPath, args: [`${REPO_ROOT}test/support/servers/counter-server.mjs`], timeouts: { startupMs: 3000 } } } },
      { configDir: REPO_ROOT, env: {} },
    );
    const session = new UpstreamSession(config!.backends.slow!, { name: "test", version: "1" }, {}, { notification() {}, request: async () => ({}), closed() {}, stderr() {} });
    const outcome = session.connect().then(
      () => "connected",
      (error: Error) => error.message,
    );
    await new Promise((r) => setTimeout(r, 100));
    await session.close();
    // Not even the start-up timeout (3 s) ended it before: the SDK clears it on close.
    const settled = await Promise.race([outcome, new Promise((r) => setTimeout(() => r("still pending"), 6000))]);
    expect(settled).toMatch(/failed to start: closed while connecting/);
  }, 15_000);
});
