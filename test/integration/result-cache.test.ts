import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../support/cli.js";
import { connectClient, refusal, type TestClient, textOf, waitFor } from "../support/mcp-clients.js";
import { type ProxyProcess, runProxyOnFile, writeConfig } from "../support/proxy-process.js";

const TOKENS = { alice: "tok-alice-cache-5b1e", bob: "tok-bob-cache-77c2", carol: "tok-carol-cache-90ad" };
const PLANT = "sk-live-CACHEDKEY0123456789";
const COUNTER_SERVER = `${REPO_ROOT}test/support/servers/counter-server.mjs`;

/** One counter backend (its answers change on every call), two callers, cache rules, a redaction filter, a file audit. */
function cacheConfig(): Record<string, unknown> {
  return {
    version: 1,
    backends: {
      cnt: { transport: "stdio", command: process.execPath, args: [COUNTER_SERVER], session: "shared", env: { COUNTER_PLANT: PLANT } },
    },
    bindings: [{ transport: "http", port: 0 }],
    auth: {
      type: "bearer",
      tokens: [
        { token: { env: "ALICE_TOKEN" }, subject: "alice" },
        { token: { env: "BOB_TOKEN" }, subject: "bob" },
        { token: { env: "CAROL_TOKEN" }, subject: "carol" },
      ],
    },
    policies: {
      default: "allow",
      rules: [{ name: "carol-reads-nothing", effect: "deny", match: { methods: ["resources/read"] }, when: { "==": [{ var: "identity.sub" }, "carol"] } }],
    },
    cache: {
      rules: [
        { name: "shared-reads", match: { methods: ["resources/read"] }, ttlMs: 60_000, scope: "shared" },
        { name: "private-marked", match: { names: ["cnt__private-count"] }, ttlMs: 60_000, scope: "shared" },
        { name: "counts", match: { names: ["cnt__count", "cnt__failing-count"] }, ttlMs: 60_000 },
      ],
    },
    filters: [{ name: "no-keys", redact: [{ pattern: "sk-live-[A-Za-z0-9]+", replacement: "[KEY]" }] }],
    audit: { sink: "file", file: "audit.jsonl" },
    limits: { initializeWaitMs: 30_000 },
  };
}

describe("result caching (a counter backend over stdio, callers over Streamable HTTP)", () => {
  let proxy: ProxyProcess;
  let auditFile: string;
  let alice: TestClient;
  let bob: TestClient;
  let carol: TestClient;
  const auditLines = () => {
    try {
      return readFileSync(auditFile, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    } catch {
      return [];
    }
  };
  const count = async (who: TestClient, label = "") => textOf(await who.client.callTool({ name: "cnt__count", arguments: label ? { label } : {} }));
  const callNumber = (text: string) => Number(/call (\d+)/.exec(text)?.[1]);

  beforeAll(async () => {
    const file = writeConfig(cacheConfig());
    auditFile = join(dirname(file), "audit.jsonl");
    proxy = await runProxyOnFile(file, { env: { ALICE_TOKEN: TOKENS.alice, BOB_TOKEN: TOKENS.bob, CAROL_TOKEN: TOKENS.carol } });
    alice = await connectClient("http", proxy, { token: TOKENS.alice });
    bob = await connectClient("http", proxy, { token: TOKENS.bob });
    carol = await connectClient("http", proxy, { token: TOKENS.carol });
  }, 60_000);

  afterAll(async () => {
    await alice?.close();
    await bob?.close();
    await carol?.close();
    await proxy?.stop();
  });

  it("answers a second identical call of the same caller from the cache, still redacted and audited as a hit, and never another caller's", async () => {
    const first = await count(alice, "a");
    const again = await count(alice, "a");
    expect(again).toBe(first);
    // The raw answer is cached; the filter runs on every hit.
    expect(again).toContain("[KEY]");
    expect(again).not.toContain(PLANT);
    // Another caller, same call: the backend is asked (the counter moved on).
    const bobs = await count(bob, "a");
    expect(callNumber(bobs)).toBeGreaterThan(callNumber(first));
    // Other arguments are another key.
    expect(callNumber(await count(alice, "b"))).toBeGreaterThan(callNumber(bobs));
    const countLines = () => auditLines().filter((l) => l.target === "cnt__count");
    expect(await waitFor(() => countLines().length >= 4)).toBe(true);
    expect(countLines().map((l) => [(l.identity as { sub?: string } | null)?.sub, l.cache])).toEqual([
      ["alice", "miss"],
      ["alice", "hit"],
      ["bob", "miss"],
      ["alice", "miss"],
    ]);
    expect(countLines()[1]).toMatchObject({ status: "ok", filters: ["no-keys"], decision: "allow" });
  });

  it("uses canonical arguments: the same arguments in another key order hit the same entry", async () => {
    const first = textOf(await alice.client.callTool({ name: "cnt__count", arguments: { label: "k", extra: { x: 1, y: 2 } } }));
    const reordered = textOf(await alice.client.callTool({ name: "cnt__count", arguments: { extra: { y: 2, x: 1 }, label: "k" } }));
    expect(reordered).toBe(first);
  });

  it("drops a backend's cached tool results when it announces tools list_changed", async () => {
    const before = await count(alice, "lc");
    expect(await count(alice, "lc")).toBe(before);
    await alice.client.callTool({ name: "cnt__change-tools", arguments: {} });
    expect(await waitFor(async () => callNumber(await count(alice, "lc")) > callNumber(before), 5000)).toBe(true);
  });

  it("shares a read under a shared rule and drops it on resources/updated for its URI", async () => {
    const read = async (who: TestClient) => textOf({ content: (await who.client.readResource({ uri: "counter://value" })).contents });
    const first = await read(alice);
    expect(await read(bob)).toBe(first);
    // A shared answer is still only for callers the policies allow: the cache stage runs after authorize.
    const refused = await refusal(read(carol));
    expect(refused.code).toBe(-32602);
    expect(JSON.stringify(refused)).not.toContain(first);
    await alice.client.callTool({ name: "cnt__touch", arguments: {} });
    expect(await waitFor(async () => (await read(bob)) !== first, 5000)).toBe(true);
  });

  it("never caches an isError result, nor under a shared rule a result the backend marked private", async () => {
    const failing = async () => (await alice.client.callTool({ name: "cnt__failing-count", arguments: {} })) as { isError?: boolean; content: unknown };
    const one = await failing();
    const two = await failing();
    expect(one.isError).toBe(true);
    expect(textOf(two)).not.toBe(textOf(one));
    const privately = async (who: TestClient) => textOf(await who.client.callTool({ name: "cnt__private-count", arguments: {} }));
    const mine = await privately(alice);
    expect(await privately(bob)).not.toBe(mine);
  });
});
