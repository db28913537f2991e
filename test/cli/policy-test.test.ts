import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { spawnCli } from "../support/cli.js";

// Runs the built binary (bin/mcp-proxy.js → dist/) over real files in a temporary folder.

let folder: string;

const CONFIG = {
  version: 1,
  backends: { crm: { transport: "http", url: "http://127.0.0.1:9/mcp" }, mail: { transport: "http", url: "http://127.0.0.1:9/mail" } },
  naming: { prefix: "always", separator: "__" },
  policies: {
    default: "deny",
    rules: [
      { name: "readers-read", effect: "allow", match: { names: ["crm__search", "crm__get"] }, when: { in: ["reader", { var: "identity.roles" }] } },
      { name: "no-bulk-export", effect: "deny", match: { names: ["crm__search"] }, when: { ">": [{ var: "request.arguments.limit" }, 1000] } },
      { name: "ops-mail", effect: "allow", match: { backends: ["mail"] }, when: { "==": [{ var: "identity.claims.team" }, "ops"] } },
    ],
  },
};

const SNAPSHOT = {
  version: 1,
  backends: [
    { backend: "crm", namespace: "crm", tools: [{ name: "search", inputSchema: { type: "object" } }, { name: "get", inputSchema: { type: "object" } }, { name: "delete", inputSchema: { type: "object" } }], prompts: [], resources: [], resourceTemplates: [] },
    { backend: "mail", namespace: "mail", tools: [{ name: "send", inputSchema: { type: "object" } }], prompts: [], resources: [], resourceTemplates: [] },
  ],
};

const PASSING = `
identities:
  rita: { sub: rita, roles: [reader] }
  otto: { sub: otto, claims: { team: ops } }
snapshot: ./surface.snapshot.json
cases:
  - name: readers may search
    as: rita
    request: { method: tools/call, name: crm__search, arguments: { query: x } }
    expect: { decision: allow, rule: readers-read }
  - name: no bulk export
    as: rita
    request: { method: tools/call, name: crm__search, arguments: { limit: 5000 } }
    expect: { decision: deny, rule: no-bulk-export }
  - name: delete is hidden from readers
    as: rita
    request: { method: tools/call, name: crm__delete }
    expect: { decision: hidden }
  - name: rita sees the reader tools
    as: rita
    visible: { tools: ["crm__*"] }
  - name: otto sees mail only
    as: otto
    visible: { tools: [mail__send] }
`;

function project(name: string, cases: string): string {
  const dir = join(folder, name);
  mkdirSync(dir);
  writeFileSync(join(dir, "mcp-proxy.config.json"), JSON.stringify(CONFIG));
  writeFileSync(join(dir, "surface.snapshot.json"), JSON.stringify(SNAPSHOT));
  writeFileSync(join(dir, "mcp-proxy.test.yaml"), cases);
  return dir;
}

beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), "policy-test-"));
});

describe("mcp-proxy test", () => {
  it("passes every case, request and visible, against the snapshot the cases name (exit 0)", () => {
    const dir = project("passing", PASSING);
    const result = spawnCli(["test"], { cwd: dir });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("✓ readers may search\n");
    expect(result.stdout).toContain("✓ rita sees the reader tools\n");
    expect(result.stdout).toContain("mcp-proxy.test.yaml: 5 cases, 5 passed, 0 failed (listings: surface.snapshot.json)");
  });

  it("fails with exit 1, naming the case with expected and got", () => {
    const dir = project(
      "failing",
      PASSING.replace("expect: { decision: deny, rule: no-bulk-export }", "expect: { decision: allow }").replace("visible: { tools: [mail__send] }", "visible: { tools: [mail__send, crm__get] }"),
    );
    const result = spawnCli(["test"], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('✗ no bulk export: expected allow, got deny by rule "no-bulk-export"');
    expect(result.stdout).toContain("✗ otto sees mail only: tools expected but not visible: crm__get");
    expect(result.stdout).toContain("5 cases, 3 passed, 2 failed");
    expect(result.stderr).toBe('mcp-proxy test: 2 of 5 cases failed: "no bulk export", "otto sees mail only"\n');
    const json = spawnCli(["test", "--format", "json"], { cwd: dir });
    expect(json.code).toBe(1);
    const doc = JSON.parse(json.stdout);
    expect(doc).toMatchObject({ passed: 3, failed: 2 });
    expect(doc.results.find((r: { name: string }) => r.name === "no bulk export")).toMatchObject({ passed: false, expected: { decision: "allow" }, got: { decision: "deny", rule: "no-bulk-export" } });
  });

  it("names an unexpected visible tool", () => {
    const dir = project("unexpected", PASSING.replace('visible: { tools: ["crm__*"] }', "visible: { tools: [crm__search] }"));
    const result = spawnCli(["test"], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("✗ rita sees the reader tools: tools not expected: crm__get");
  });

  it("reads the tests export of a .ts config", () => {
    const dir = join(folder, "ts-config");
    mkdirSync(dir);
    writeFileSync(
      join(dir, "mcp-proxy.config.ts"),
      `export const tests = { identities: { rita: { sub: "rita", roles: ["reader"] } }, cases: [
         { name: "readers may search", as: "rita", request: { method: "tools/call", name: "crm__search" }, expect: { decision: "allow", rule: "readers-read" } },
         { name: "strangers may not", as: { sub: "eve" }, request: { method: "tools/call", name: "crm__search" }, expect: { decision: "hidden" } } ] };
       export default ${JSON.stringify(CONFIG)};`,
    );
    const result = spawnCli(["test", "-f", "json"], { cwd: dir });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ passed: 2, failed: 0 });
  });

  it("is a usage error without a cases file, or with a case naming an unknown identity (exit 2)", () => {
    const dir = join(folder, "no-cases");
    mkdirSync(dir);
    writeFileSync(join(dir, "mcp-proxy.config.json"), JSON.stringify(CONFIG));
    expect(spawnCli(["test"], { cwd: dir })).toMatchObject({ code: 2, stderr: expect.stringContaining("no test cases") });
    const bad = project("bad-identity", "cases:\n  - name: x\n    as: nobody\n    request: { method: tools/call, name: crm__search }\n    expect: { decision: allow }\n");
    expect(spawnCli(["test"], { cwd: bad })).toMatchObject({ code: 2, stderr: expect.stringContaining('"as: nobody" names no identity') });
    // A file that tests nothing must not pass a CI gate.
    const empty = project("empty-cases", "identities:\n  bob: { sub: bob }\ncases: []\n");
    expect(spawnCli(["test"], { cwd: empty })).toMatchObject({ code: 2, stderr: expect.stringContaining("has no cases") });
  });
});
