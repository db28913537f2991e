import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, spawnCli } from "../support/cli.js";
import { connectClient, waitFor } from "../support/mcp-clients.js";
import { startProxyProcess } from "../support/proxy-process.js";

// Records a real audit file with the gateway (`mcp-proxy start`), then replays it with the
// binary under a tightened config.

const DEMO = `${REPO_ROOT}examples/toxic-flows/servers/demo-server.mjs`;
let folder: string;
let auditFile: string;

const BACKENDS = {
  inbox: { transport: "stdio", command: process.execPath, args: [DEMO, "inbox"], labels: ["private-data"] },
  webhook: { transport: "stdio", command: process.execPath, args: [DEMO, "webhook"], labels: ["egress"] },
};
const isAdmin = { in: ["admin", { var: "identity.roles" }] };
const RECORDED = {
  version: 1,
  backends: BACKENDS,
  naming: { prefix: "always", separator: "__" },
  auth: {
    type: "bearer",
    tokens: [
      { token: { env: "ALICE_TOKEN" }, subject: "alice", roles: ["admin"], claims: { team: "ops", region: "eu" } },
      { token: { env: "BOB_TOKEN" }, subject: "bob", roles: ["user"], claims: { team: "sales", region: "us" } },
    ],
  },
  policies: {
    default: "deny",
    rules: [{ name: "staff-use-demo-tools", effect: "allow", match: { backends: ["inbox", "webhook"] }, when: { "!!": [{ var: "identity.claims.team" }] } }],
  },
};
const withRules = (rules: unknown[]) => ({ version: 1, backends: BACKENDS, naming: RECORDED.naming, policies: { default: "deny", rules: [...RECORDED.policies.rules, ...rules] } });

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), "policy-replay-"));
  auditFile = join(folder, "audit.log");
  const proxy = await startProxyProcess(
    { ...RECORDED, bindings: [{ transport: "http", host: "127.0.0.1", port: 0 }], audit: { sink: "file", file: auditFile } },
    { env: { ALICE_TOKEN: "alice-secret-token-1", BOB_TOKEN: "bob-secret-token-22" } },
  );
  try {
    for (const token of ["alice-secret-token-1", "bob-secret-token-22"]) {
      const client = await connectClient("http", { url: proxy.url }, { token });
      await client.client.callTool({ name: "webhook__post", arguments: { url: "https://hooks.example.com/a", text: "hello" } });
      await client.client.callTool({ name: "inbox__read_inbox", arguments: {} });
      await client.close();
    }
    await waitFor(() => readFileSync(auditFile, "utf8").split("\n").filter((l) => l.includes('"tools/call"')).length >= 4);
  } finally {
    await proxy.stop();
  }
  writeFileSync(join(folder, "same.config.json"), JSON.stringify(withRules([])));
  writeFileSync(
    join(folder, "tightened.config.json"),
    JSON.stringify(withRules([{ name: "admins-only-egress", effect: "deny", match: { backends: ["webhook"] }, when: { "!": isAdmin } }])),
  );
  writeFileSync(
    join(folder, "unrecorded.config.json"),
    JSON.stringify(
      withRules([
        { name: "short-posts", effect: "deny", match: { names: ["webhook__post"] }, when: { ">": [{ var: "request.arguments.text.length" }, 3] } },
        { name: "eu-inbox", effect: "deny", match: { backends: ["inbox"] }, when: { "!=": [{ var: "identity.claims.region" }, "eu"] } },
      ]),
    ),
  );
}, 60_000);

describe("mcp-proxy replay", () => {
  it("names the requests a tightened config would flip, grouped by rule and identity (exit 1)", () => {
    const result = spawnCli(["replay", auditFile, "--config", join(folder, "tightened.config.json")]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/4 requests re-decided, 1 would flip, 0 undecidable/);
    // The deny reads no argument: the gateway would not even list the tool to bob any more.
    expect(result.stdout).toMatch(/allow → deny by rule "admins-only-egress", hidden \(the caller can no longer list the item\):\n {2}bob: 1 request\n {4}line \d+: tools\/call webhook__post at \S+ \(was allow by staff-use-demo-tools\)\n/);
    const doc = JSON.parse(spawnCli(["replay", auditFile, "--config", join(folder, "tightened.config.json"), "--format", "json"]).stdout);
    expect(doc).toMatchObject({ requests: 4, flipped: 1, unchanged: 3 });
    expect(doc.flips).toEqual([
      {
        from: "allow",
        to: "deny",
        rule: "admins-only-egress",
        hidden: true,
        identities: [{ identity: "bob", requests: [expect.objectContaining({ target: "webhook__post", next: { decision: "deny", rule: "admins-only-egress", hidden: true } })] }],
      },
    ]);
  });

  it("finds nothing to flip under an unchanged policy (exit 0)", () => {
    const result = spawnCli(["replay", auditFile, "--config", join(folder, "same.config.json")]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/4 requests re-decided, 0 would flip, 0 undecidable/);
  });

  it("reports as undecidable what depends on argument values or a claim the line did not record", () => {
    const result = spawnCli(["replay", auditFile, "--config", join(folder, "unrecorded.config.json"), "-f", "json"]);
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout);
    expect(doc).toMatchObject({ requests: 4, flipped: 0, unchanged: 0 });
    expect(doc.undecidable).toHaveLength(4);
    const post = doc.undecidable.find((r: { target: string }) => r.target === "webhook__post");
    expect(post.next).toMatchObject({ decision: "undecidable", unknownRules: ["short-posts"], unknown: [expect.stringContaining("request.arguments")] });
    const read = doc.undecidable.find((r: { target: string }) => r.target === "inbox__read_inbox");
    expect(read.next).toMatchObject({ decision: "undecidable", unknownRules: ["eu-inbox"], unknown: [expect.stringContaining("identity.claims.region")] });
  });

  it("is a usage error without --config or the audit file (exit 2)", () => {
    expect(spawnCli(["replay", auditFile]).code).toBe(2);
    expect(spawnCli(["replay", "--config", join(folder, "same.config.json")]).code).toBe(2);
    expect(spawnCli(["replay", join(folder, "missing.log"), "--config", join(folder, "same.config.json")]).code).toBe(2);
  });
});

describe("mcp-proxy replay over recorded arguments", () => {
  const line = (fields: Record<string, unknown>) =>
    JSON.stringify({ audit: true, event: "request", time: "2026-01-05T10:00:00.000Z", session: "s1", binding: "http-0", labelsSeen: [], method: "tools/call", kind: "tool", backend: "webhook", ...fields });

  it("decides exactly when the line has the arguments, and reports deny → allow flips too", () => {
    const file = join(folder, "with-arguments.log");
    writeFileSync(
      file,
      [
        line({ identity: { sub: "carol", roles: [], claims: { team: "ops" } }, target: "webhook__post", arguments: { url: "u", text: "hello there" }, decision: "allow", rule: "staff-use-demo-tools" }),
        line({ identity: { sub: "dave", roles: [] }, target: "webhook__post", arguments: { url: "u", text: "hi" }, decision: "deny", rule: "default" }),
        JSON.stringify({ audit: true, event: "authentication", decision: "deny" }),
        "not json",
      ].join("\n"),
    );
    // Posts of more than 3 characters are refused; everyone may post (no claim needed any more).
    writeFileSync(
      join(folder, "open-short.config.json"),
      JSON.stringify({
        version: 1,
        backends: BACKENDS,
        naming: RECORDED.naming,
        policies: {
          default: "deny",
          rules: [
            { name: "anyone-posts", effect: "allow", match: { backends: ["webhook"] } },
            { name: "short-posts", effect: "deny", match: { names: ["webhook__post"] }, when: { ">": [{ var: "request.arguments.text.length" }, 3] } },
          ],
        },
      }),
    );
    const result = spawnCli(["replay", file, "--config", join(folder, "open-short.config.json"), "-f", "json"]);
    expect(result.code).toBe(1);
    const doc = JSON.parse(result.stdout);
    expect(doc).toMatchObject({ requests: 2, flipped: 2, skipped: 2, undecidable: [] });
    expect(doc.flips.map((g: { from: string; to: string; rule: string; identities: Array<{ identity: string }> }) => [g.from, g.to, g.rule, g.identities.map((i) => i.identity)])).toEqual([
      ["allow", "deny", "short-posts", ["carol"]],
      ["deny", "allow", "anyone-posts", ["dave"]],
    ]);
  });
});
