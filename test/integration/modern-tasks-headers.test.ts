// The gateway in front of a 2026-07-28 backend that serves the tasks extension (SEP-2663) and a
// tool with an `x-mcp-header` parameter (SEP-2243): the conformance target, a real server over
// loopback HTTP. What a client sees through the gateway must be what it would see directly.
import { type ChildProcess, spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../support/cli.js";
import { connectClient, type TestClient, textOf, waitFor } from "../support/mcp-clients.js";
import { type ProxyProcess, startProxyProcess } from "../support/proxy-process.js";
import { openSession, post } from "../support/raw-http.js";

const TASKS = "io.modelcontextprotocol/tasks";
let target: ChildProcess;
let targetUrl: string;
let proxy: ProxyProcess;

beforeAll(async () => {
  target = spawn(process.execPath, [`${REPO_ROOT}test/conformance/target-server.mjs`, "0"], { stdio: ["ignore", "pipe", "inherit"] });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the conformance target did not start")), 10_000);
    let seen = "";
    target.stdout!.on("data", (chunk: Buffer) => {
      const match = /serving at (\S+)/.exec((seen += chunk.toString()));
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
  });
  targetUrl = url;
  proxy = await startProxyProcess({
    version: 1,
    backends: { target: { transport: "http", url, era: "modern" } },
    naming: { prefix: "never" },
    bindings: [{ transport: "http", port: 0 }],
    logging: { level: "warn" },
    audit: { enabled: false },
  });
}, 30_000);
afterAll(async () => {
  await proxy?.stop();
  target?.kill();
});

const envelope = (capabilities: Record<string, unknown>) => ({
  "io.modelcontextprotocol/protocolVersion": "2026-07-28",
  "io.modelcontextprotocol/clientInfo": { name: "raw", version: "1" },
  "io.modelcontextprotocol/clientCapabilities": capabilities,
});
const withTasks = envelope({ elicitation: {}, extensions: { [TASKS]: {} } });

/** One 2026-07-28 request as a client would send it: envelope in `_meta`, the standard headers set. */
function call(method: string, params: Record<string, unknown>, meta = withTasks, headers: Record<string, string> = {}, url = proxy.url!) {
  const named = (params.name ?? params.taskId) as string | undefined;
  return post(url, { jsonrpc: "2.0", id: 7, method, params: { ...params, _meta: meta } }, {
    "mcp-protocol-version": "2026-07-28",
    "mcp-method": method,
    ...(named === undefined ? {} : { "mcp-name": named }),
    ...headers,
  });
}

async function settled(taskId: string, status: string[] = ["completed", "failed", "cancelled"]): Promise<Record<string, any>> {
  let task: Record<string, any> = {};
  await waitFor(async () => status.includes((task = (await call("tasks/get", { taskId })).json().result).status), 10_000, 50);
  return task;
}

describe("the tasks extension through the gateway", () => {
  it("creates a task under the backend's namespace, reports it on tasks/get and inlines its result", async () => {
    const created = (await call("tools/call", { name: "slow_compute", arguments: { seconds: 0.2, label: "gw" } })).json().result;
    expect(created).toMatchObject({ resultType: "task", status: "working" });
    expect(created.taskId).toMatch(/^target\//);
    const done = await settled(created.taskId);
    expect(done).toMatchObject({ taskId: created.taskId, status: "completed", resultType: "complete" });
    expect(textOf(done.result)).toBe("Computed gw after 0.2s");
  });

  it("routes tasks/update and tasks/cancel to the owning backend; their answers are empty acks", async () => {
    const asking = (await call("tools/call", { name: "confirm_delete", arguments: { filename: "a.txt" } })).json().result;
    const waiting = await settled(asking.taskId, ["input_required"]);
    const [key] = Object.keys(waiting.inputRequests);
    const ack = (await call("tasks/update", { taskId: asking.taskId, inputResponses: { [key!]: { action: "accept", content: { confirm: true } } } })).json().result;
    expect(ack.resultType).toBe("complete");
    for (const field of ["taskId", "status", "result", "inputRequests"]) expect(ack).not.toHaveProperty(field);
    expect(textOf((await settled(asking.taskId)).result)).toBe("Deleted a.txt");

    const long = (await call("tools/call", { name: "slow_compute", arguments: { seconds: 60 } })).json().result;
    const cancelled = (await call("tasks/cancel", { taskId: long.taskId })).json().result;
    expect(cancelled.resultType).toBe("complete");
    expect(cancelled).not.toHaveProperty("taskId");
    expect((await settled(long.taskId)).status).toBe("cancelled");
  });

  it("refuses the task methods with -32021 (HTTP 400) to a client that did not declare the extension", async () => {
    const reply = await call("tasks/get", { taskId: "target/anything" }, envelope({}));
    expect(reply.status).toBe(400);
    expect(reply.json().error).toMatchObject({ code: -32021, data: { requiredCapabilities: { extensions: { [TASKS]: {} } }, reason: "MISSING_CLIENT_CAPABILITY" } });
  });

  it("refuses a tasks/get whose Mcp-Name header names another task (HTTP 400, -32020)", async () => {
    const reply = await call("tasks/get", { taskId: "target/x" }, withTasks, { "mcp-name": "target/y" });
    expect(reply.status).toBe(400);
    expect(reply.json().error).toMatchObject({ code: -32020, data: { reason: "HEADER_MISMATCH" } });
  });

  it("answers tasks/update on a legacy session with -32601: the legacy era has no such method", async () => {
    const session = await openSession(proxy.url!);
    const reply = await post(proxy.url!, { jsonrpc: "2.0", id: 3, method: "tasks/update", params: { taskId: "target/x", inputResponses: {} } }, session);
    expect(reply.json().error).toMatchObject({ code: -32601 });
  });
});

describe("Mcp-Param-* headers (x-mcp-header) through the gateway", () => {
  const region = (headers: Record<string, string>) => call("tools/call", { name: "test_custom_header", arguments: { region: "eu-west" } }, withTasks, headers);

  it("refuses a call whose header is missing, not valid Base64 or different (HTTP 400, -32020)", async () => {
    const cases: Record<string, string>[] = [{}, { "mcp-param-region": "=?base64?ZXUtd2VzdA?=" }, { "mcp-param-region": "us-east" }];
    for (const headers of cases) {
      const reply = await region(headers);
      expect(reply.status).toBe(400);
      expect(reply.json().error).toMatchObject({ code: -32020, data: { reason: "HEADER_MISMATCH" } });
    }
  });

  it("accepts the header plain or Base64, and sets it on the call to the backend, which checks it", async () => {
    expect(textOf((await region({ "mcp-param-region": "eu-west" })).json().result)).toBe("region: eu-west");
    expect(textOf((await region({ "mcp-param-region": "=?base64?ZXUtd2VzdA==?=" })).json().result)).toBe("region: eu-west");
  });

  it("lets a legacy client call the tool: the gateway adds the header the modern backend requires", async () => {
    let legacy: TestClient | undefined;
    try {
      legacy = await connectClient("http", { url: proxy.url! });
      expect(textOf(await legacy.client.callTool({ name: "test_custom_header", arguments: { region: "ü-nord" } }))).toBe("region: ü-nord");
    } finally {
      await legacy?.close();
    }
  });
});

describe("2026-07-28 requests without a session that are not well formed", () => {
  it("a request with the 2026-07-28 header but no envelope gets -32602 with its own id (HTTP 400)", async () => {
    const reply = await post(proxy.url!, { jsonrpc: "2.0", id: 101, method: "server/discover", params: {} }, { "mcp-protocol-version": "2026-07-28", "mcp-method": "server/discover" });
    expect(reply.status).toBe(400);
    expect(reply.json()).toMatchObject({ id: 101, error: { code: -32602, data: { reason: "INVALID_PARAMS" } } });
  });

  it("initialize with a 2026-07-28 envelope is an unknown method (HTTP 404, -32601)", async () => {
    const reply = await call("initialize", { protocolVersion: "2026-07-28", capabilities: {}, clientInfo: { name: "raw", version: "1" } });
    expect(reply.status).toBe(404);
    expect(reply.json().error).toMatchObject({ code: -32601 });
  });
});

describe("policies and filters on what the tasks extension and the headers carry", () => {
  let guarded: ProxyProcess;
  beforeAll(async () => {
    guarded = await startProxyProcess({
      version: 1,
      backends: { target: { transport: "http", url: targetUrl, era: "modern" } },
      naming: { prefix: "never" },
      bindings: [{ transport: "http", port: 0 }],
      policies: { default: "allow", rules: [{ name: "no-region", effect: "deny", match: { names: ["test_custom_header"] } }] },
      filters: [{ name: "hush", match: { backends: ["target"] }, redact: [{ pattern: "Computed|crashed", replacement: "[X]" }] }],
      logging: { level: "warn" },
      audit: { enabled: false },
    });
  }, 30_000);
  afterAll(async () => guarded?.stop());
  const on = (method: string, params: Record<string, unknown>, headers: Record<string, string> = {}) => call(method, params, withTasks, headers, guarded.url!);

  it("checks Mcp-Param-* only once the call is authorized: a tool a policy hides stays unknown, whatever the headers", async () => {
    const reply = await on("tools/call", { name: "test_custom_header", arguments: { region: "eu-west" } }, { "mcp-param-region": "us-east" });
    expect(reply.json().error).toMatchObject({ code: -32602, data: { reason: "UNKNOWN_TOOL" } });
  });

  it("filters the result and the error a task inlines in tasks/get, as the tools/call that created it", async () => {
    const settle = async (name: string, args: Record<string, unknown>) => {
      const { taskId } = (await on("tools/call", { name, arguments: args })).json().result;
      let task: Record<string, any> = {};
      await waitFor(async () => ["completed", "failed"].includes((task = (await on("tasks/get", { taskId })).json().result).status), 10_000, 50);
      return task;
    };
    expect(textOf((await settle("slow_compute", { seconds: 0.1, label: "secret" })).result)).toBe("[X] secret after 0.1s");
    expect((await settle("protocol_error_job", {})).error.message).toBe("protocol_error_job [X], as it always does");
  });
});
