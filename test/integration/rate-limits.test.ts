import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectClient, recorderBackend, refusal, type TestClient, textOf, waitFor } from "../support/mcp-clients.js";
import { type ProxyProcess, runProxyOnFile, writeConfig } from "../support/proxy-process.js";

const TOKENS = { alice: "tok-alice-rl-5d1c9e2b8a4f", bob: "tok-bob-rl-e1aa70c5d293", carol: "tok-carol-rl-0c5d2e1aa793" };
const MINUTE = 60_000;

/** Three callers, two per-client backends, and one rate limit per behaviour under test, each on its own tool so they do not count each other's calls. */
function rateLimitedConfig(): Record<string, unknown> {
  return {
    version: 1,
    backends: { crm: recorderBackend("crm"), docs: recorderBackend("docs") },
    bindings: [{ transport: "http", port: 0 }],
    auth: {
      type: "bearer",
      tokens: [
        { token: { env: "ALICE_TOKEN" }, subject: "alice" },
        { token: { env: "BOB_TOKEN" }, subject: "bob" },
        { token: { env: "CAROL_TOKEN" }, subject: "carol" },
      ],
    },
    limits: {
      initializeWaitMs: 30_000,
      rateLimits: [
        // No `per`: per identity is the default.
        { name: "searches", requests: 3, windowMs: MINUTE, match: { names: ["crm__search"] } },
        { name: "whoami-per-session", per: "session", requests: 2, windowMs: MINUTE, match: { names: ["crm__whoami"] } },
        { name: "pid-for-everyone", per: "global", requests: 2, windowMs: MINUTE, match: { names: ["crm__pid"] } },
        { name: "state-per-3s", per: "identity", requests: 1, windowMs: 3000, match: { names: ["crm__state"] } },
        { name: "docs-calls", per: "identity", requests: 2, windowMs: MINUTE, match: { backends: ["docs"] } },
        { name: "tool-lists", per: "identity", requests: 2, windowMs: MINUTE, match: { methods: ["tools/list"] } },
      ],
    },
    audit: { sink: "file", file: "audit.jsonl" },
    logging: { level: "warn" },
  };
}

let proxy: ProxyProcess;
let auditFile: string;
const clients: TestClient[] = [];
const connect = async (who: keyof typeof TOKENS) => {
  const c = await connectClient("http", proxy, { token: TOKENS[who], name: `${who}-agent` });
  clients.push(c);
  return c;
};
const call = (c: TestClient, name: string, args: Record<string, unknown> = {}) => c.client.callTool({ name, arguments: args });
const auditLines = (): Array<Record<string, unknown>> => {
  try {
    return readFileSync(auditFile, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  } catch {
    return [];
  }
};

beforeAll(async () => {
  const file = writeConfig(rateLimitedConfig());
  auditFile = join(dirname(file), "audit.jsonl");
  proxy = await runProxyOnFile(file, { env: { ALICE_TOKEN: TOKENS.alice, BOB_TOKEN: TOKENS.bob, CAROL_TOKEN: TOKENS.carol } });
}, 60_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
  await proxy?.stop();
});

describe("rate limits in memory", () => {
  it("refuses a caller past its limit with -32013, the limit's name and when to retry; another caller is not affected", async () => {
    const alice = await connect("alice");
    const bob = await connect("bob");
    for (let i = 0; i < 3; i++) expect(textOf(await call(alice, "crm__search", { query: `q${i}` }))).toBe(`crm: q${i}`);
    const refused = await refusal(call(alice, "crm__search", { query: "one too many" }));
    expect(refused).toMatchObject({ code: -32013, data: { reason: "RATE_LIMITED", limit: "searches" } });
    expect(refused.message).toMatch(/^Rate limited: 3 requests per minute per identity \(rate limit "searches"\); retry in \d+ ms$/);
    const retryAfterMs = refused.data!.retryAfterMs as number;
    expect(retryAfterMs).toBeGreaterThan(MINUTE - 30_000);
    expect(retryAfterMs).toBeLessThanOrEqual(MINUTE);
    expect(textOf(await call(bob, "crm__search", { query: "bob's turn" }))).toBe("crm: bob's turn");
    // The audit line says which limit refused, and for how long.
    expect(await waitFor(() => auditLines().some((l) => l.reason === "RATE_LIMITED"), 5000)).toBe(true);
    const line = auditLines().find((l) => l.reason === "RATE_LIMITED")!;
    expect(line).toMatchObject({ method: "tools/call", target: "crm__search", status: "error", code: -32013, identity: { sub: "alice" }, data: { reason: "RATE_LIMITED", limit: "searches" } });
    expect((line.data as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(0);
  });

  it("keeps counting a caller who re-initializes: a new session is still limited", async () => {
    const again = await connect("alice");
    expect(await refusal(call(again, "crm__search", { query: "new session" }))).toMatchObject({ code: -32013, data: { limit: "searches" } });
  });

  it("counts per session when told to: a new session starts afresh", async () => {
    const first = await connect("carol");
    expect(textOf(await call(first, "crm__whoami"))).toBe("crm");
    expect(textOf(await call(first, "crm__whoami"))).toBe("crm");
    expect(await refusal(call(first, "crm__whoami"))).toMatchObject({ code: -32013, data: { limit: "whoami-per-session" } });
    const second = await connect("carol");
    expect(textOf(await call(second, "crm__whoami"))).toBe("crm");
  });

  it("counts everyone together for a global limit", async () => {
    const alice = await connect("alice");
    const bob = await connect("bob");
    await call(alice, "crm__pid");
    await call(bob, "crm__pid");
    expect(await refusal(call(bob, "crm__pid"))).toMatchObject({ code: -32013, data: { limit: "pid-for-everyone" } });
    expect((await refusal(call(alice, "crm__pid"))).message).toMatch(/^Rate limited: 2 requests per minute \(rate limit "pid-for-everyone"\)/);
  });

  it("lets the caller in again once its window has passed", async () => {
    const bob = await connect("bob");
    // Bob's own crm session is started first (an unlimited tool), so the window is not spent waiting for it.
    await call(bob, "crm__cancellations");
    await call(bob, "crm__state");
    const refused = await refusal(call(bob, "crm__state"));
    expect(refused).toMatchObject({ code: -32013, data: { limit: "state-per-3s" } });
    const retryAfterMs = refused.data!.retryAfterMs as number;
    expect(retryAfterMs).toBeLessThanOrEqual(3000);
    await new Promise((resolve) => setTimeout(resolve, retryAfterMs + 50));
    expect(JSON.parse(textOf(await call(bob, "crm__state")))).toHaveProperty("subscriptions");
  });

  it("counts only the calls by default (not subscriptions); match.methods chooses other methods, lists included", async () => {
    const carol = await connect("carol");
    // resources/subscribe is not one of the calls: docs-calls does not count it.
    for (let i = 0; i < 3; i++) await carol.client.subscribeResource({ uri: "recorder://docs/info" });
    await carol.client.readResource({ uri: "recorder://docs/info" });
    await call(carol, "docs__whoami");
    expect(await refusal(carol.client.readResource({ uri: "recorder://docs/info" }))).toMatchObject({ code: -32013, data: { limit: "docs-calls" } });
    // Another backend's calls are not docs-calls'.
    expect(textOf(await call(carol, "crm__search", { query: "still fine" }))).toBe("crm: still fine");
    await carol.client.listTools();
    await carol.client.listTools();
    expect(await refusal(carol.client.listTools())).toMatchObject({ code: -32013, data: { limit: "tool-lists" } });
  });
});
