import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { connectClient, recorderBackend, waitFor } from "../support/mcp-clients.js";
import { runProxyOnFile } from "../support/proxy-process.js";

describe("a custom interceptor that throws", () => {
  it("gets the client an internal error without its message, an audit line, and the operator a log line with it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mcp-proxy-it-"));
    const file = join(dir, "mcp-proxy.config.ts");
    writeFileSync(
      file,
      `export default {
        version: 1,
        backends: { crm: ${JSON.stringify(recorderBackend("crm"))} },
        bindings: [{ transport: "http", port: 0 }],
        audit: { sink: "stderr" },
        interceptors: [{ name: "broken", stage: "authorize", handle: async (ctx: { method: string }, next: () => Promise<unknown>) => {
          if (ctx.method === "tools/call") throw new TypeError("broken-interceptor-detail");
          return next();
        } }],
      };`,
    );
    const proxy = await runProxyOnFile(file);
    try {
      const client = await connectClient("http", proxy);
      const refused = await client.client.callTool({ name: "crm__whoami", arguments: {} }).then(
        () => undefined,
        (error: { code: number; message: string }) => error,
      );
      await client.close();
      expect(refused).toMatchObject({ code: -32603 });
      expect(refused!.message).not.toContain("broken-interceptor-detail");
      // Both lines are written asynchronously, each on its own schedule: wait for both.
      expect(await waitFor(() => proxy.stderr().includes("broken-interceptor-detail") && /"audit":true[^\n]*"method":"tools\/call"/.test(proxy.stderr()))).toBe(true);
      const lines = proxy.stderr().split("\n").filter((l) => l.startsWith("{"));
      expect(lines.map((l) => JSON.parse(l) as Record<string, unknown>)).toContainEqual(expect.objectContaining({ audit: true, method: "tools/call", status: "error", code: -32603 }));
      const logged = lines.find((l) => l.includes("broken-interceptor-detail"))!;
      expect(JSON.parse(logged)).toMatchObject({ method: "tools/call", err: { type: "TypeError", message: "broken-interceptor-detail" } });
    } finally {
      await proxy.stop();
    }
  }, 60_000);
});
