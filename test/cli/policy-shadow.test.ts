import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../support/cli.js";
import { connectClient, type TestClient, textOf, waitFor } from "../support/mcp-clients.js";
import { type ProxyProcess, startProxyProcess } from "../support/proxy-process.js";

// The real binary (`mcp-proxy start`) with a shadow rule: the egress rule of the toxic-flows
// example is being tried out before it is enforced.

const DEMO = `${REPO_ROOT}examples/toxic-flows/servers/demo-server.mjs`;
let proxy: ProxyProcess;
let client: TestClient;
let auditFile: string;

const lines = (): Array<Record<string, unknown>> =>
  readFileSync(auditFile, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l));
const callLines = () => lines().filter((l) => l.method === "tools/call");

beforeAll(async () => {
  auditFile = join(mkdtempSync(join(tmpdir(), "policy-shadow-")), "audit.log");
  proxy = await startProxyProcess({
    version: 1,
    backends: {
      inbox: { transport: "stdio", command: process.execPath, args: [DEMO, "inbox"], labels: ["private-data"] },
      webhook: { transport: "stdio", command: process.execPath, args: [DEMO, "webhook"], labels: ["egress"] },
    },
    bindings: [{ transport: "http", host: "127.0.0.1", port: 0 }],
    naming: { prefix: "always", separator: "__" },
    policies: {
      default: "allow",
      shadowDefault: "deny",
      rules: [
        { name: "agents-use-demo-tools", effect: "allow", match: { backends: ["inbox", "webhook"] } },
        {
          name: "no-egress-after-private-data",
          mode: "shadow",
          effect: "deny",
          when: { and: [{ in: ["egress", { var: "backend.labels" }] }, { in: ["private-data", { var: "session.labelsSeen" }] }] },
        },
      ],
    },
    audit: { sink: "file", file: auditFile },
  });
  client = await connectClient("http", { url: proxy.url });
}, 60_000);

afterAll(async () => {
  await client?.close();
  await proxy?.stop();
});

describe("a shadow rule", () => {
  it("keeps listing the tool, does not block the call, and is written in the audit line with a count", async () => {
    const tools = await client.client.listTools();
    expect(tools.tools.map((t) => t.name).sort()).toEqual(["inbox__read_inbox", "webhook__post"]);
    await client.client.callTool({ name: "webhook__post", arguments: { url: "https://hooks.example.com/a", text: "before" } });
    await client.client.callTool({ name: "inbox__read_inbox", arguments: {} });
    const posted = await client.client.callTool({ name: "webhook__post", arguments: { url: "https://hooks.example.com/a", text: "after" } });
    expect(posted.isError).toBeFalsy();
    expect(textOf(posted)).toContain("posted 5 characters");
    await client.client.callTool({ name: "webhook__post", arguments: { url: "https://hooks.example.com/a", text: "again" } });
    expect(await waitFor(() => callLines().length >= 4)).toBe(true);
    const [before, read, after, again] = callLines();
    expect(before).toMatchObject({ decision: "allow", rule: "agents-use-demo-tools", status: "ok" });
    expect(before!.shadow).toBeUndefined();
    expect(read!.shadow).toBeUndefined();
    expect(after).toMatchObject({ decision: "allow", rule: "agents-use-demo-tools", status: "ok", shadow: { rule: "no-egress-after-private-data", effect: "deny" }, shadowCount: 1 });
    expect(again).toMatchObject({ shadow: { rule: "no-egress-after-private-data", effect: "deny" }, shadowCount: 2 });
  });
});
