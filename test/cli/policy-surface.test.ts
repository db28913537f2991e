import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, spawnCli } from "../support/cli.js";

// Runs the built binary (bin/mcp-proxy.js → dist/), as a user would.

const TEAM_RBAC = `${REPO_ROOT}examples/team-rbac/mcp-proxy.config.ts`;
const TOXIC_FLOWS = `${REPO_ROOT}examples/toxic-flows/mcp-proxy.config.ts`;

let folder: string;

const BASE = {
  version: 1,
  backends: { crm: { transport: "http", url: "http://127.0.0.1:9/mcp" } },
  naming: { prefix: "always", separator: "__" },
  policies: {
    default: "deny",
    rules: [
      { name: "readers-read", effect: "allow", match: { names: ["crm__search", "crm__delete"] }, when: { in: ["reader", { var: "identity.roles" }] } },
      { name: "admins-all", effect: "allow", when: { in: ["admin", { var: "identity.roles" }] } },
    ],
  },
};
// The change: readers lose delete and gain export; search gets a clearer description.
const NEXT = {
  ...BASE,
  routes: [{ backend: "crm", kind: "tool", name: "search", description: "Search the CRM (read-only)." }],
  policies: { ...BASE.policies, rules: [{ ...BASE.policies.rules[0], match: { names: ["crm__search", "crm__export"] } }, BASE.policies.rules[1]] },
};
const SNAPSHOT = {
  version: 1,
  backends: [
    {
      backend: "crm",
      namespace: "crm",
      tools: ["search", "delete", "export"].map((name) => ({ name, description: `CRM ${name}`, inputSchema: { type: "object" } })),
      prompts: [],
      resources: [],
      resourceTemplates: [],
    },
  ],
};

beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), "policy-surface-"));
  writeFileSync(join(folder, "mcp-proxy.config.json"), JSON.stringify(BASE));
  writeFileSync(join(folder, "next.config.json"), JSON.stringify(NEXT));
  writeFileSync(join(folder, "surface.snapshot.json"), JSON.stringify(SNAPSHOT));
  writeFileSync(
    join(folder, "mcp-proxy.test.yaml"),
    "identities:\n  rita: { sub: rita, roles: [reader] }\n  ada: { sub: ada, roles: [admin] }\nsnapshot: ./surface.snapshot.json\ncases: []\n",
  );
});

describe("mcp-proxy surface", () => {
  it("shows what two identities of the team-rbac example see, with backend and original names", () => {
    const alice = spawnCli(["surface", "--config", TEAM_RBAC, "--as", "alice"]);
    expect(alice.code).toBe(0);
    expect(alice.stdout).toMatch(/^ {2}sql_query +db\/query +Read-only SQL over the reporting replica\.$/m);
    expect(alice.stdout).toMatch(/^ {2}github__search_code +github\/search_code/m);
    expect(alice.stdout).not.toContain("delete_repository");
    expect(alice.stdout).not.toContain("drop_table");
    const bob = spawnCli(["surface", "--config", TEAM_RBAC, "--as", '{"sub":"bob"}', "--format", "json"]);
    expect(bob.code).toBe(0);
    const doc = JSON.parse(bob.stdout);
    expect(doc.tools.map((t: { name: string }) => t.name)).toEqual(["github__search_code", "github__create_issue"]);
    expect(doc.tools[0]).toMatchObject({ backend: "github", original: "search_code", kind: "tool" });
  });

  it("diffs two configs per identity: one tool removed, one added, one description changed", () => {
    const text = spawnCli(["surface", "--diff", "next.config.json"], { cwd: folder });
    expect(text.code).toBe(0);
    expect(text.stdout).toContain("surface diff mcp-proxy.config.json → next.config.json");
    expect(text.stdout).toContain(
      'rita:\n  - removed tool crm__delete (crm/delete)\n  + added tool crm__export (crm/export)\n  ~ changed tool crm__search: description "CRM search" → "Search the CRM (read-only)."\n',
    );
    expect(text.stdout).toContain('ada:\n  ~ changed tool crm__search: description "CRM search" → "Search the CRM (read-only)."\n');
    const json = JSON.parse(spawnCli(["surface", "--diff", "next.config.json", "-f", "json"], { cwd: folder }).stdout);
    const rita = json.identities.find((d: { identity: string }) => d.identity === "rita");
    expect(rita.removed.map((i: { name: string }) => i.name)).toEqual(["crm__delete"]);
    expect(rita.added.map((i: { name: string }) => i.name)).toEqual(["crm__export"]);
    expect(rita.changed).toEqual([{ list: "tools", name: "crm__search", changes: { description: { from: "CRM search", to: "Search the CRM (read-only)." } } }]);
  });

  it("records live listings as a snapshot, which surface then reads without starting anything", () => {
    const file = join(folder, "toxic.snapshot.json");
    const written = spawnCli(["surface", "--config", TOXIC_FLOWS, "--live", "--write-snapshot", file]);
    expect(written.code).toBe(0);
    const doc = JSON.parse(readFileSync(file, "utf8"));
    expect(doc.version).toBe(1);
    expect(doc.backends.map((b: { backend: string }) => b.backend)).toEqual(["inbox", "webhook"]);
    const read = spawnCli(["surface", "--config", TOXIC_FLOWS, "--snapshot", file, "-f", "json"]);
    expect(JSON.parse(read.stdout).tools.map((t: { name: string }) => t.name)).toEqual(["inbox__read_inbox", "webhook__post"]);
  });

  it("is a usage error for --snapshot with --live, or a missing snapshot file (exit 2)", () => {
    expect(spawnCli(["surface", "--snapshot", "surface.snapshot.json", "--live"], { cwd: folder }).code).toBe(2);
    expect(spawnCli(["surface", "--snapshot", "nope.json"], { cwd: folder })).toMatchObject({ code: 2, stderr: expect.stringContaining("nope.json") });
  });
});
