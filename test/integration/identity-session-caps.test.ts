import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectClient, recorderBackend, refusal, type TestClient, textOf, waitFor } from "../support/mcp-clients.js";
import { type ProxyProcess, runProxyOnFile, writeConfig } from "../support/proxy-process.js";

const TOKENS = { alice: "tok-alice-cap-7d1c9e2b8a4f", bob: "tok-bob-cap-1aa70c5d293e" };

let proxy: ProxyProcess;
const opened: TestClient[] = [];
const connect = async (who: keyof typeof TOKENS) => {
  const c = await connectClient("http", proxy, { token: TOKENS[who], name: `${who}-agent` });
  opened.push(c);
  return c;
};

/** A raw initialize, to see the HTTP answer a refused session gets. */
const initialize = (who: keyof typeof TOKENS) =>
  fetch(proxy.url!, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json, text/event-stream", authorization: `Bearer ${TOKENS[who]}` },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "raw", version: "1" } } }),
  });

beforeAll(async () => {
  const file = writeConfig({
    version: 1,
    // crm has room for three sessions, but one caller may hold only one of them.
    backends: { crm: recorderBackend("crm", { maxSessions: 3, maxSessionsPerIdentity: 1 }) },
    bindings: [{ transport: "http", port: 0, legacySse: true }],
    auth: {
      type: "bearer",
      tokens: [
        { token: { env: "ALICE_TOKEN" }, subject: "alice" },
        { token: { env: "BOB_TOKEN" }, subject: "bob" },
      ],
    },
    limits: { initializeWaitMs: 30_000, maxSessionsPerIdentity: 2 },
    logging: { level: "warn" },
  });
  proxy = await runProxyOnFile(file, { env: { ALICE_TOKEN: TOKENS.alice, BOB_TOKEN: TOKENS.bob } });
}, 60_000);

afterAll(async () => {
  await Promise.all(opened.map((c) => c.close().catch(() => undefined)));
  await proxy?.stop();
});

describe("per-identity session caps", () => {
  let aliceFirst: TestClient;
  let bob: TestClient;

  it("refuses a caller's sessions past limits.maxSessionsPerIdentity with 429 and -32025, while another caller still lists and calls", async () => {
    aliceFirst = await connect("alice");
    const aliceSecond = await connect("alice");
    const third = await initialize("alice");
    expect(third.status).toBe(429);
    expect(third.headers.get("mcp-session-id")).toBeNull();
    expect(await third.json()).toMatchObject({ error: { code: -32025, message: expect.stringContaining("limits.maxSessionsPerIdentity"), data: { reason: "IDENTITY_SESSION_LIMIT" } } });
    // The cap is across transports: a legacy SSE stream is a session too.
    const sse = await fetch(proxy.sseUrl!, { headers: { accept: "text/event-stream", authorization: `Bearer ${TOKENS.alice}` } });
    expect(sse.status).toBe(429);
    expect(await sse.json()).toMatchObject({ error: { code: -32025, data: { reason: "IDENTITY_SESSION_LIMIT" } } });
    // Alice's open sessions keep working, and bob is not crowded out.
    expect(textOf(await aliceFirst.client.callTool({ name: "crm__whoami", arguments: {} }))).toBe("crm");
    bob = await connect("bob");
    expect((await bob.client.listTools()).tools.map((t) => t.name)).toContain("crm__whoami");
    expect(textOf(await bob.client.callTool({ name: "crm__whoami", arguments: {} }))).toBe("crm");
    // A session closed frees its place for the same caller.
    await aliceSecond.terminate();
    let freed: Response | undefined;
    expect(await waitFor(async () => (freed = await initialize("alice")).status === 200, 5000, 100)).toBe(true);
    const session = freed!.headers.get("mcp-session-id")!;
    await freed!.body?.cancel();
    const closed = await fetch(proxy.url!, { method: "DELETE", headers: { authorization: `Bearer ${TOKENS.alice}`, "mcp-session-id": session, "mcp-protocol-version": "2025-11-25" } });
    expect(closed.status).toBe(200);
  });

  it("refuses a caller's second upstream session of a backend past its maxSessionsPerIdentity, leaving the backend's other slots to others", async () => {
    // aliceFirst holds alice's one crm session (it called crm above); a second session of hers is refused its own.
    const aliceOther = await connect("alice");
    const refused = await refusal(aliceOther.client.callTool({ name: "crm__whoami", arguments: {} }));
    expect(refused).toMatchObject({ code: -32025, data: { reason: "IDENTITY_SESSION_LIMIT", backend: "crm", limit: "maxSessionsPerIdentity" } });
    expect(refused.message).toBe('Too many sessions: this caller already holds 1 session of backend "crm" (maxSessionsPerIdentity); close one and try again');
    // Bob's session and the listing of crm are untouched; crm still has a free slot for someone else.
    expect(textOf(await bob.client.callTool({ name: "crm__whoami", arguments: {} }))).toBe("crm");
    expect((await aliceOther.client.listTools()).tools.map((t) => t.name)).toContain("crm__whoami");
    // Once alice's other session is gone, her waiting one gets its crm session (the link retries with backoff).
    await aliceFirst.terminate();
    const call = () => aliceOther.client.callTool({ name: "crm__whoami", arguments: {} }).then(textOf, () => "refused");
    expect(await waitFor(async () => (await call()) === "crm", 15_000, 300)).toBe(true);
  });
});
