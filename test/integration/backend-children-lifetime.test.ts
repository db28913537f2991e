import { afterEach, describe, expect, it } from "vitest";
import { connectClient, isAlive, SERVERS, textOf, waitFor } from "../support/mcp-clients.js";
import { type ProxyProcess, startProxyProcess } from "../support/proxy-process.js";

let proxy: ProxyProcess | undefined;
const leftovers: number[] = [];

afterEach(async () => {
  for (const pid of leftovers.splice(0)) if (isAlive(pid)) process.kill(pid, "SIGKILL");
  await proxy?.stop();
});

describe.skipIf(process.platform !== "linux")("backend processes when the gateway dies", () => {
  it("are all gone, grandchildren included, after the gateway is killed with SIGKILL", async () => {
    proxy = await startProxyProcess({
      version: 1,
      backends: {
        family: { transport: "stdio", command: process.execPath, args: [SERVERS.misbehaving, "--grandchild"] },
        shared: { transport: "stdio", command: process.execPath, args: [SERVERS.misbehaving, "--grandchild"], session: "shared" },
      },
      bindings: [{ transport: "http", port: 0 }],
      logging: { level: "warn" },
    });
    const c = await connectClient("http", { url: proxy.url });
    const pids: number[] = [];
    for (const name of ["family__family", "shared__family"]) {
      const { pid, grandchild } = JSON.parse(textOf(await c.client.callTool({ name, arguments: {} }))) as { pid: number; grandchild: number };
      pids.push(pid, grandchild);
    }
    leftovers.push(...pids);
    expect(pids.every(isAlive)).toBe(true);
    proxy.child.kill("SIGKILL");
    await c.close().catch(() => undefined);
    // A bound, not a latency figure: each supervisor shell must be scheduled to run its trap,
    // which on a loaded 2-core CI machine (the whole suite in parallel) took over 5 s once.
    expect(await waitFor(() => !pids.some(isAlive), 15_000)).toBe(true);
  }, 30_000);

  it("are all gone when the gateway is killed during its orderly stop, backends that ignore SIGTERM included", async () => {
    const stubborn = [SERVERS.misbehaving, "--grandchild", "--ignore-term"];
    proxy = await startProxyProcess({
      version: 1,
      backends: {
        direct: { transport: "stdio", command: process.execPath, args: stubborn },
        // A wrapper script that itself ignores TERM, as some launchers do.
        wrapped: { transport: "stdio", command: "/bin/sh", args: ["-c", `trap '' TERM; exec "$0" "$@"`, process.execPath, ...stubborn] },
      },
      bindings: [{ transport: "http", port: 0 }],
      logging: { level: "warn" },
    });
    const c = await connectClient("http", { url: proxy.url });
    const pids: number[] = [];
    for (const name of ["direct__family", "wrapped__family"]) {
      const { pid, grandchild } = JSON.parse(textOf(await c.client.callTool({ name, arguments: {} }))) as { pid: number; grandchild: number };
      pids.push(pid, grandchild);
    }
    leftovers.push(...pids);
    await c.close().catch(() => undefined);
    // systemd or docker stop: SIGTERM, then SIGKILL before the gateway's own grace time is over.
    proxy.child.kill("SIGTERM");
    await new Promise((resolve) => setTimeout(resolve, 2500));
    proxy.child.kill("SIGKILL");
    expect(await waitFor(() => !pids.some(isAlive), 5000)).toBe(true);
  }, 30_000);
});
