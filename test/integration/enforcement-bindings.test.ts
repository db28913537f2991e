import { describe, expect, it } from "vitest";
import { connectClient, refusal, textOf, waitFor } from "../support/mcp-clients.js";
import { writeConfig } from "../support/proxy-process.js";
import { enforcementConfig, PLANT, startEnforcementProxy, TOKENS } from "./enforcement-fixture.js";


describe("the enforcement pipeline on the other bindings", () => {
  it("legacy SSE: the stream needs a token, and a caller sees and may call exactly what it does over Streamable HTTP", async () => {
    const proxy = await startEnforcementProxy();
    try {
      const unauthenticated = await fetch(proxy.sseUrl!, { headers: { accept: "text/event-stream" } });
      expect(unauthenticated.status).toBe(401);
      expect(unauthenticated.headers.get("www-authenticate")).toMatch(/^Bearer /);
      await unauthenticated.body?.cancel();

      const overSse = await connectClient("sse", proxy, { token: TOKENS.bob });
      const overHttp = await connectClient("http", proxy, { token: TOKENS.bob });
      try {
        const sseTools = (await overSse.client.listTools()).tools.map((t) => t.name).sort();
        expect(sseTools).toEqual((await overHttp.client.listTools()).tools.map((t) => t.name).sort());
        expect(sseTools).not.toContain("crm__slow");
        expect(await refusal(overSse.client.callTool({ name: "crm__slow", arguments: { ms: 1 } }))).toMatchObject({ code: -32602 });
        expect(await refusal(overSse.client.callTool({ name: "crm__search", arguments: { query: "a secret" } }))).toMatchObject({ code: -32012, data: { policy: "no-secret-queries" } });
        expect(JSON.stringify(await overSse.client.callTool({ name: "crm__leak", arguments: {} }))).not.toContain(PLANT);
        expect(await waitFor(() => proxy.auditLines().some((l) => l.transport === "legacy-sse" && l.rule === "no-secret-queries"))).toBe(true);
      } finally {
        await overSse.close();
        await overHttp.close();
      }
    } finally {
      await proxy.stop();
    }
  }, 60_000);

  it("stdio: the caller's identity comes from the binding's config, and policies, filters and audit apply to it", async () => {
    // A stdio client presents no token; its identity is the binding's (the MCP client starts the proxy with a bare environment, so no token secrets either).
    const config = { ...enforcementConfig([{ transport: "stdio", name: "local", identity: { subject: "carol", roles: ["reader"], claims: { team: "sales" } } }]), auth: { type: "none" } };
    const file = writeConfig(config);
    const carol = await connectClient("stdio", { configFile: file }, { name: "carol-agent" });
    try {
      const tools = (await carol.client.listTools()).tools.map((t) => t.name);
      expect(tools).toContain("crm__whoami");
      expect(tools).not.toContain("crm__slow");
      expect(await refusal(carol.client.callTool({ name: "crm__slow", arguments: { ms: 1 } }))).toMatchObject({ code: -32602 });
      expect(await refusal(carol.client.callTool({ name: "crm__search", arguments: { query: "secret" } }))).toMatchObject({ code: -32012 });
      const leak = await carol.client.callTool({ name: "crm__leak", arguments: {} });
      expect(textOf(leak)).toBe("the key is [KEY], keep it");
    } finally {
      await carol.close();
    }
    const { readFileSync } = await import("node:fs");
    const { dirname, join } = await import("node:path");
    const audit = join(dirname(file), "audit.jsonl");
    expect(await waitFor(() => {
      try {
        return readFileSync(audit, "utf8").includes('"no-secret-queries"');
      } catch {
        return false;
      }
    })).toBe(true);
    const lines = readFileSync(audit, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.find((l) => l.rule === "no-secret-queries")).toMatchObject({ identity: { sub: "carol", roles: ["reader"] }, binding: "local", transport: "stdio", decision: "deny" });
  }, 60_000);
});
