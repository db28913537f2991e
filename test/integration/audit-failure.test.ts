import { describe, expect, it } from "vitest";
import { connectClient, recorderBackend, textOf, waitFor } from "../support/mcp-clients.js";
import { startProxyProcess } from "../support/proxy-process.js";

describe("an audit sink that cannot write", () => {
  it('fails closed with -32018 under onFailure "refuse", and keeps serving (logged once) under the default "log"', async () => {
    // /dev/full opens fine and fails every write with ENOSPC, even for root.
    const refusing = await startProxyProcess({ version: 1, backends: { a: recorderBackend("a") }, bindings: [{ transport: "http", port: 0 }], audit: { sink: "file", file: "/dev/full", onFailure: "refuse" } });
    const logging = await startProxyProcess({ version: 1, backends: { a: recorderBackend("a") }, bindings: [{ transport: "http", port: 0 }], audit: { sink: "file", file: "/dev/full" } });
    try {
      const closed = await connectClient("http", refusing);
      // The first request may pass before the sink has tried a write; from then on every one is refused.
      const outcomes: Array<number | "ok"> = [];
      for (let i = 0; i < 20; i += 1) {
        outcomes.push(await closed.client.callTool({ name: "a__whoami", arguments: {} }).then(() => "ok" as const, (e: { code: number }) => e.code));
      }
      expect(outcomes.slice(-10)).toEqual(Array(10).fill(-32018));
      await expect(closed.client.callTool({ name: "a__whoami", arguments: {} })).rejects.toMatchObject({ code: -32018, data: { reason: "AUDIT_UNAVAILABLE" } });
      await closed.close();

      const open = await connectClient("http", logging);
      for (let i = 0; i < 5; i += 1) expect(textOf(await open.client.callTool({ name: "a__whoami", arguments: {} }))).toBe("a");
      await open.close();
      expect(await waitFor(() => logging.stderr().includes("cannot write"))).toBe(true);
      expect(logging.stderr().match(/audit sink \/dev\/full cannot write/g)).toHaveLength(1);
    } finally {
      await refusing.stop();
      await logging.stop();
    }
  }, 60_000);
});
