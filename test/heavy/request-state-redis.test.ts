// A sealed requestState works once across replicas: two proxy processes share the sealing key
// and a Redis limits.store, a retry completes on the process that did not issue the state, and
// the same state brought back to the first process is refused. While Redis is down each process
// still refuses a state it has seen, and says once that replays across replicas go unnoticed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recorderBackend, textOf, waitFor } from "../support/mcp-clients.js";
import { type ProxyProcess, startProxyProcess } from "../support/proxy-process.js";
import { post } from "../support/raw-http.js";
import { type RedisServer, startRedisServer } from "../support/redis-server.js";

const MODERN = "2026-07-28";
const envelope = { "io.modelcontextprotocol/protocolVersion": MODERN, "io.modelcontextprotocol/clientInfo": { name: "raw", version: "1" }, "io.modelcontextprotocol/clientCapabilities": { elicitation: { form: {} } } };
const headers = { "mcp-protocol-version": MODERN, "mcp-method": "tools/call", "mcp-name": "rec__ask-elicitation" };
const call = (id: number, extra: Record<string, unknown> = {}) => ({ jsonrpc: "2.0", id, method: "tools/call", params: { name: "rec__ask-elicitation", arguments: { message: "who?" }, ...extra, _meta: envelope } });
const answer = (who: string) => ({ "elicitation-0": { action: "accept", content: { answer: who } } });

let redis: RedisServer;
let first: ProxyProcess;
let second: ProxyProcess;

const replicaConfig = (url: string) => ({
  version: 1,
  backends: { rec: recorderBackend("rec") },
  bindings: [{ transport: "http", port: 0 }],
  protocol: { requestStateKey: { env: "REPLAY_TEST_KEY" } },
  limits: { store: { type: "redis", url } },
  logging: { level: "info" },
  audit: { enabled: false },
});

/** A first round on `proxy`: the state the client must bring back with its answer. */
async function askOn(proxy: ProxyProcess): Promise<string> {
  const reply = (await post(proxy.url!, call(1), headers)).json();
  expect(reply.result.resultType).toBe("input_required");
  return reply.result.requestState as string;
}
const retryOn = async (proxy: ProxyProcess, state: string, who: string) => (await post(proxy.url!, call(2, { inputResponses: answer(who), requestState: state }), headers)).json();

beforeAll(async () => {
  redis = await startRedisServer();
  const env = { REPLAY_TEST_KEY: "one key for both replicas, 32 bytes or more" };
  [first, second] = await Promise.all([startProxyProcess(replicaConfig(redis.url), { env }), startProxyProcess(replicaConfig(redis.url), { env })]);
}, 60_000);

afterAll(async () => {
  await Promise.all([first?.stop(), second?.stop()]);
  await redis?.stop();
});

describe("requestState replay across replicas sharing Redis", () => {
  it("completes a retry on the other replica, then refuses the same state on the first", async () => {
    const state = await askOn(first);
    expect(textOf((await retryOn(second, state, "from second")).result)).toBe('elicited: accept {"answer":"from second"}');
    const replay = await retryOn(first, state, "again on first");
    expect(replay.error).toMatchObject({ code: -32602, data: { reason: "INVALID_REQUEST_STATE" } });
    expect(replay.error.message).toContain("already used");
    // Both keep serving everyone else.
    const fresh = await askOn(second);
    expect(textOf((await retryOn(first, fresh, "still served")).result)).toBe('elicited: accept {"answer":"still served"}');
  });

  it("while Redis is down, still refuses a replay to the same process, never waits for Redis, and logs the outage once", async () => {
    const state = await askOn(first);
    await redis.stop();
    const started = Date.now();
    expect(textOf((await retryOn(first, state, "no redis")).result)).toBe('elicited: accept {"answer":"no redis"}');
    expect(Date.now() - started).toBeLessThan(3000);
    expect((await retryOn(first, state, "replayed")).error).toMatchObject({ code: -32602, data: { reason: "INVALID_REQUEST_STATE" } });
    expect(await waitFor(() => /a used requestState is remembered by this process only/.test(first.stderr()), 5000)).toBe(true);
    // One more use during the same outage adds no second line.
    expect(textOf((await retryOn(first, await askOn(first), "again")).result)).toBe('elicited: accept {"answer":"again"}');
    expect(first.stderr().match(/a used requestState is remembered by this process only/g)).toHaveLength(1);
    expect(first.stderr()).not.toContain(redis.url);
  });
});
