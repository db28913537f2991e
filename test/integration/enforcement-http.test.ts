import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../support/cli.js";
import { connectClient, refusal, type TestClient, textOf, waitFor } from "../support/mcp-clients.js";
import { type EnforcementProxy, PLANT, startEnforcementProxy, TOKENS } from "./enforcement-fixture.js";


describe("the enforcement pipeline over Streamable HTTP (bearer callers, policies, filters, audit)", () => {
  let proxy: EnforcementProxy;
  let alice: TestClient;
  let bob: TestClient;

  beforeAll(async () => {
    proxy = await startEnforcementProxy();
    alice = await connectClient("http", proxy, { token: TOKENS.alice, name: "alice-agent" });
    bob = await connectClient("http", proxy, { token: TOKENS.bob, name: "bob-agent" });
  }, 60_000);

  afterAll(async () => {
    await alice?.close();
    await bob?.close();
    await proxy?.stop();
  });

  it("refuses a request without a token, or with an unknown one, with 401 and a Bearer challenge before any session exists", async () => {
    const initialize = { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "raw", version: "1" } } };
    const post = (headers: Record<string, string>) =>
      fetch(proxy.url!, { method: "POST", headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers }, body: JSON.stringify(initialize) });
    const missing = await post({});
    expect(missing.status).toBe(401);
    expect(missing.headers.get("www-authenticate")).toMatch(/^Bearer realm=/);
    expect(missing.headers.get("mcp-session-id")).toBeNull();
    expect(await missing.json()).toMatchObject({ error: { code: -32019, data: { reason: "UNAUTHENTICATED" } } });
    const wrong = await post({ authorization: "Bearer tok-alice-4f7d1c9e2b8b" });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("www-authenticate")).toContain('error="invalid_token"');
    // A real session id with another caller's token is not theirs: it is unknown to them.
    const session = (alice.client.transport as { sessionId?: string }).sessionId!;
    const hijack = await fetch(proxy.url!, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream", authorization: `Bearer ${TOKENS.bob}`, "mcp-session-id": session, "mcp-protocol-version": "2025-11-25" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list", params: {} }),
    });
    expect(hijack.status).toBe(404);
    expect(await waitFor(() => proxy.auditLines().filter((l) => l.event === "authentication").length >= 2)).toBe(true);
    expect(proxy.auditLines().find((l) => l.event === "authentication")).toMatchObject({ audit: true, decision: "deny", code: 401, reason: "NO_CREDENTIALS" });
  });

  it("lists to each caller exactly what its policies allow, and refuses every hidden tool as unknown", async () => {
    const names = async (c: TestClient) => (await c.client.listTools()).tools.map((t) => t.name).sort();
    const aliceTools = await names(alice);
    const bobTools = await names(bob);
    const readerTools = ["crm__big", "crm__leak", "crm__search", "crm__whoami", ...(await names(alice)).filter((n) => n.startsWith("mail__"))];
    // crm__whoami: the deny rule on the team claim is definite without arguments, so alice (ops) does not see it.
    expect(aliceTools).toEqual([...readerTools.filter((n) => n !== "crm__whoami"), "crm__slow"].sort());
    expect(bobTools).toEqual(readerTools.sort());
    expect(bobTools).not.toContain("crm__slow");
    expect(aliceTools.some((n) => n.startsWith("mail__"))).toBe(true);

    for (const hidden of ["crm__slow", "crm__pid", "crm__fail"]) {
      expect(await refusal(bob.client.callTool({ name: hidden, arguments: {} }))).toMatchObject({ code: -32602, message: expect.stringContaining(`Unknown tool: ${hidden}`) });
    }
    // The same answer a tool that exists nowhere gets, word for word.
    const nowhere = await refusal(bob.client.callTool({ name: "crm__nosuchtool", arguments: {} }));
    const hiddenOne = await refusal(bob.client.callTool({ name: "crm__pid", arguments: {} }));
    expect(hiddenOne.message.replace("crm__pid", "X")).toBe(nowhere.message.replace("crm__nosuchtool", "X"));
    expect(hiddenOne.data).toEqual(nowhere.data);
    // A backend that never started: the caller allowed on it learns it is down, the other one that it does not exist.
    expect(await refusal(alice.client.callTool({ name: "ghost__anything", arguments: {} }))).toMatchObject({ code: -32010 });
    expect(await refusal(bob.client.callTool({ name: "ghost__anything", arguments: {} }))).toMatchObject({ code: -32602, message: expect.stringContaining("Unknown tool: ghost__anything") });
    // Resources follow the same rule: bob reads crm's, and another URI is not found.
    expect((await bob.client.listResources()).resources.map((r) => r.uri)).toContain("recorder://crm/info");
    expect((await bob.client.listResources()).resources.map((r) => r.uri)).not.toContain("recorder://ghost/info");
  });

  it("decides a listed tool's call on its arguments, naming the deciding rule and nothing about the backend", async () => {
    expect(textOf(await bob.client.callTool({ name: "crm__search", arguments: { query: "invoices" } }))).toBe("crm: invoices");
    const denied = await refusal(bob.client.callTool({ name: "crm__search", arguments: { query: "top secret plans" } }));
    expect(denied).toEqual({ code: -32012, message: 'Forbidden: tool "crm__search" is refused by policy rule "no-secret-queries"', data: { reason: "FORBIDDEN", policy: "no-secret-queries" } });
    // Listed to alice for small ms; a large one has no allowing rule, so the default decides.
    expect(textOf(await alice.client.callTool({ name: "crm__slow", arguments: { ms: 10 } }))).toBe("done");
    expect(await refusal(alice.client.callTool({ name: "crm__slow", arguments: { ms: 5000 } }))).toMatchObject({ code: -32012, data: { reason: "FORBIDDEN", policy: "default" } });
  });

  it("refuses an egress tool once the session has read private data, and only in that session", async () => {
    const fresh = await connectClient("http", proxy, { token: TOKENS.bob });
    try {
      expect(textOf(await fresh.client.callTool({ name: "mail__whoami", arguments: {} }))).toBe("mail");
      await fresh.client.readResource({ uri: "recorder://crm/info" });
      expect(await refusal(fresh.client.callTool({ name: "mail__whoami", arguments: {} }))).toMatchObject({ code: -32012, data: { policy: "no-egress-after-private-data" } });
      // Still listed: the rule depends on the session, which the list decision does not know.
      expect((await fresh.client.listTools()).tools.map((t) => t.name)).toContain("mail__whoami");
      const other = await connectClient("http", proxy, { token: TOKENS.bob });
      expect(textOf(await other.client.callTool({ name: "mail__whoami", arguments: {} }))).toBe("mail");
      await other.close();
    } finally {
      await fresh.close();
    }
  });

  it("redacts a planted secret in text, structured content, embedded resources and resource reads; strips fields; refuses results over maxResultBytes", async () => {
    const leak = (await bob.client.callTool({ name: "crm__leak", arguments: {} })) as Record<string, unknown>;
    const serialized = JSON.stringify(leak);
    expect(serialized).not.toContain(PLANT);
    expect(leak.content).toEqual([
      { type: "text", text: "the key is [KEY], keep it" },
      { type: "resource", resource: { uri: "recorder://crm/leak", mimeType: "text/plain", text: "embedded [KEY]" } },
    ]);
    expect(leak.structuredContent).toEqual({ owner: "crm", nested: { list: ["a", "deep [KEY]"] } });
    expect(leak._meta).toEqual({ kept: "kept" });
    const read = await bob.client.readResource({ uri: "recorder://crm/info" });
    expect(read.contents[0]).toMatchObject({ text: "info of crm with [KEY]" });
    expect(textOf(await bob.client.callTool({ name: "crm__big", arguments: { n: 1000 } }))).toHaveLength(1000);
    expect(await refusal(bob.client.callTool({ name: "crm__big", arguments: { n: 60_000 } }))).toMatchObject({
      code: -32017,
      message: expect.stringContaining('filter "small-results"'),
      data: { reason: "RESULT_TOO_LARGE", filter: "small-results", limit: 50_000 },
    });
  });

  it("writes one audit line per allowed and denied request, with the documented fields, no token and no secret, in a chain audit verify accepts", async () => {
    // Lines reach the file asynchronously (earlier tests' too), so count each kind this test adds.
    const kinds = {
      allowed: (l: Record<string, unknown>) => l.method === "tools/call" && l.decision === "allow" && l.target === "crm__search",
      denied: (l: Record<string, unknown>) => l.decision === "deny" && l.rule === "no-secret-queries",
      hidden: (l: Record<string, unknown>) => l.target === "crm__pid" && l.hidden === true,
    };
    const count = () => Object.values(kinds).map((kind) => proxy.auditLines().filter(kind).length);
    const before = count();
    await bob.client.callTool({ name: "crm__search", arguments: { query: "audit me" } });
    await refusal(bob.client.callTool({ name: "crm__search", arguments: { query: "secret" } }));
    await refusal(bob.client.callTool({ name: "crm__pid", arguments: {} }));
    expect(await waitFor(() => count().every((n, i) => n > before[i]!))).toBe(true);
    const lines = proxy.auditLines().reverse();
    const allowed = lines.find(kinds.allowed)!;
    expect(allowed).toMatchObject({
      audit: true,
      event: "request",
      identity: { sub: "bob", roles: ["reader"], claims: { team: "sales" } },
      binding: "http-0",
      transport: "streamable-http",
      session: expect.any(String),
      method: "tools/call",
      target: "crm__search",
      kind: "tool",
      backend: "crm",
      decision: "allow",
      rule: "readers-read",
      status: "ok",
      latencyMs: expect.any(Number),
      bytesIn: expect.any(Number),
      bytesOut: expect.any(Number),
      argumentsDigest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
      labelsSeen: expect.arrayContaining(["private-data"]),
    });
    expect(typeof allowed.time).toBe("string");
    expect(allowed.requestId).toBeDefined();
    expect(allowed).not.toHaveProperty("arguments");
    expect(lines.find(kinds.denied)).toMatchObject({ status: "error", code: -32012, reason: "FORBIDDEN" });
    expect(lines.find(kinds.hidden)).toMatchObject({ decision: "deny", hidden: true, code: -32602 });

    // Nothing secret anywhere: not the tokens, not a claim no policy reads, not the planted key.
    const everything = readFileSync(proxy.auditFile, "utf8") + proxy.stderr();
    for (const secret of [TOKENS.alice, TOKENS.bob, "never-audited", PLANT]) expect(everything).not.toContain(secret);

    const verify = (file: string) => {
      try {
        return { code: 0, out: execFileSync(process.execPath, [`${REPO_ROOT}bin/mcp-proxy.js`, "audit", "verify", file], { encoding: "utf8" }) };
      } catch (error) {
        const e = error as { status: number; stdout: string; stderr: string };
        return { code: e.status, out: e.stdout + e.stderr };
      }
    };
    expect(verify(proxy.auditFile)).toMatchObject({ code: 0 });
    // Someone edits one decision after the fact: verify names the line.
    const original = readFileSync(proxy.auditFile, "utf8").split("\n");
    const index = original.findIndex((l) => l.includes('"no-secret-queries"'));
    const tampered = [...original];
    tampered[index] = tampered[index]!.replace('"decision":"deny"', '"decision":"allow"');
    const copy = `${proxy.auditFile}.tampered`;
    writeFileSync(copy, tampered.join("\n"));
    const broken = verify(copy);
    expect(broken.code).toBe(1);
    expect(broken.out).toContain(`line ${index + 1}`);
  });
});
