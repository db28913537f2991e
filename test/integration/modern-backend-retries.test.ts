// Legacy client → 2026-07-28 backend: the proxy answers the backend's input_required by asking
// the client, then retries. Each retry is a request of its own through the whole pipeline:
// audited, and counted by rate limits, like any call the client makes.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectClient, refusal, SERVERS, startHttpServer, type TestClient, textOf, waitFor } from "../support/mcp-clients.js";
import { type ProxyProcess, runProxyOnFile, writeConfig } from "../support/proxy-process.js";

let backend: { url: string; stop(): void };
let proxy: ProxyProcess;
let client: TestClient;
let auditFile: string;

const auditLines = (): Array<Record<string, unknown>> => {
  try {
    return readFileSync(auditFile, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  } catch {
    return [];
  }
};
const callsOf = (tool: string) => auditLines().filter((l) => l.method === "tools/call" && l.target === tool);

beforeAll(async () => {
  backend = await startHttpServer(SERVERS.modern, ["http", "web"]);
  const file = writeConfig({
    version: 1,
    backends: { web: { transport: "http", url: backend.url, era: "modern" } },
    bindings: [{ transport: "http", port: 0 }],
    limits: {
      initializeWaitMs: 30_000,
      // Two calls a minute: one question and its retry.
      rateLimits: [{ name: "sampling", per: "identity", requests: 2, windowMs: 60_000, match: { names: ["web__sample"] } }],
    },
    audit: { sink: "file", file: "audit.jsonl" },
    logging: { level: "warn" },
  });
  auditFile = join(dirname(file), "audit.jsonl");
  proxy = await runProxyOnFile(file);
  client = await connectClient("http", proxy, { elicitAnswer: "ada", sampleAs: "a line" });
}, 60_000);
afterAll(async () => {
  await client?.close();
  await proxy?.stop();
  backend?.stop();
});

describe("the proxy's retries for a legacy client", () => {
  it("audits the question round and the retry as two requests of the call", async () => {
    expect(textOf(await client.client.callTool({ name: "web__ask", arguments: {} }))).toBe("hello ada");
    expect(await waitFor(() => callsOf("web__ask").length === 2, 5000)).toBe(true);
    const [question, retry] = callsOf("web__ask");
    expect(question).toMatchObject({ status: "ok", resultType: "input_required", backend: "web" });
    expect(retry).toMatchObject({ status: "ok", backend: "web" });
    expect(retry!.resultType).toBeUndefined();
    expect(retry!.requestId).toBe(question!.requestId);
  });

  it("counts each retry against the caller's rate limits", async () => {
    // The first call takes both of the minute's requests (question + retry).
    expect(textOf(await client.client.callTool({ name: "web__sample", arguments: {} }))).toBe("sampled: a line");
    // The second call's question is refused before the backend is asked.
    expect(await refusal(client.client.callTool({ name: "web__sample", arguments: {} }))).toMatchObject({ code: -32013, data: { reason: "RATE_LIMITED", limit: "sampling" } });
    expect(await waitFor(() => callsOf("web__sample").length === 3, 5000)).toBe(true);
    expect(callsOf("web__sample").map((l) => l.reason ?? l.resultType ?? l.status)).toEqual(["input_required", "ok", "RATE_LIMITED"]);
  });
});
