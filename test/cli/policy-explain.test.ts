import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { spawnCli } from "../support/cli.js";

// Runs the built binary (bin/mcp-proxy.js → dist/), as a user would.

let folder: string;

const CONFIG = {
  version: 1,
  backends: { crm: { transport: "http", url: "http://127.0.0.1:9/mcp" } },
  naming: { prefix: "always", separator: "__" },
  policies: {
    default: "deny",
    rules: [
      { name: "readers-read", effect: "allow", match: { names: ["crm__search"] }, when: { in: ["reader", { var: "identity.roles" }] } },
      { name: "no-bulk-export", effect: "deny", match: { names: ["crm__search"] }, when: { ">": [{ var: "request.arguments.limit" }, 1000] } },
      { name: "admins-delete", effect: "allow", match: { names: ["crm__delete"] }, when: { in: ["admin", { var: "identity.roles" }] } },
    ],
  },
};

beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), "policy-explain-"));
  writeFileSync(join(folder, "mcp-proxy.config.json"), JSON.stringify(CONFIG));
  writeFileSync(join(folder, "reader.json"), JSON.stringify({ sub: "rita", roles: ["reader"] }));
});

describe("mcp-proxy explain", () => {
  it("decides on a JWT caller's scopes and shows the caller by subject, issuer, roles and scopes", () => {
    const scoped = mkdtempSync(join(tmpdir(), "policy-explain-scopes-"));
    const rule = { name: "writers-delete", effect: "allow", match: { names: ["crm__delete"] }, when: { in: ["crm:write", { var: "identity.scopes" }] } };
    writeFileSync(join(scoped, "mcp-proxy.config.json"), JSON.stringify({ ...CONFIG, policies: { default: "deny", rules: [rule] } }));
    const as = JSON.stringify({ sub: "wes", iss: "https://login.example.com/", roles: ["reader"], scopes: ["mcp:use", "crm:write"] });
    const result = spawnCli(["explain", "--as", as, "--request", '{"method":"tools/call","name":"crm__delete","arguments":{}}'], { cwd: scoped });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('decision: allow (rule "writers-delete")');
    expect(result.stdout).toContain("identity: wes (issuer: https://login.example.com/; roles: reader; scopes: mcp:use crm:write)");
    const json = spawnCli(["explain", "--format", "json", "--as", as, "--request", '{"method":"tools/call","name":"crm__delete","arguments":{}}'], { cwd: scoped });
    expect(JSON.parse(json.stdout).identity).toEqual({ sub: "wes", iss: "https://login.example.com/", roles: ["reader"], scopes: ["mcp:use", "crm:write"], claims: {} });
  });

  it("shows the argument rule deciding a bulk export, every rule with its match and condition (exit 0)", () => {
    const result = spawnCli(["explain", "--as", "reader.json", "--request", '{"method":"tools/call","name":"crm__search","arguments":{"limit":5000}}'], { cwd: folder });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('decision: deny (rule "no-bulk-export")');
    expect(result.stdout).toContain('tool "search" of backend "crm"');
    expect(result.stdout).toMatch(/^ {2}allow readers-read +match: yes, when: true$/m);
    expect(result.stdout).toMatch(/^→ deny {2}no-bulk-export +match: yes, when: true {2}\(decides\)$/m);
    expect(result.stdout).toMatch(/^ {2}allow admins-delete +match: no$/m);
  });

  it("allows the same search with a small limit, as JSON naming the deciding rule", () => {
    const result = spawnCli(["explain", "--as", "reader.json", "--request", '{"method":"tools/call","name":"crm__search","arguments":{"limit":10}}', "--format", "json"], { cwd: folder });
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout);
    expect(doc).toMatchObject({ decision: "allow", rule: "readers-read", target: { kind: "tool", name: "crm__search", backend: "crm", original: "search" } });
    expect(doc.rules).toEqual([
      { name: "readers-read", effect: "allow", matched: true, result: true, deciding: true },
      { name: "no-bulk-export", effect: "deny", matched: true, result: false, deciding: false },
      { name: "admins-delete", effect: "allow", matched: false, deciding: false },
    ]);
  });

  it("says an item the caller cannot list is hidden (a deny without a rule, as in the audit)", () => {
    const result = spawnCli(["explain", "--as", '{"sub":"eve"}', "--request", '{"method":"tools/call","name":"crm__delete"}', "-f", "json"], { cwd: folder });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ decision: "deny", hidden: true });
  });

  it("is a usage error without --request, or with JSON that is not an identity (exit 2)", () => {
    expect(spawnCli(["explain", "--as", "reader.json"], { cwd: folder })).toMatchObject({ code: 2, stderr: expect.stringContaining("--request") });
    expect(spawnCli(["explain", "--as", '{"roles":[]}', "--request", '{"method":"tools/call","name":"crm__search"}'], { cwd: folder })).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('"sub"'),
    });
  });

  it("exits 1 on an invalid config", () => {
    const bad = join(folder, "bad.json");
    writeFileSync(bad, JSON.stringify({ version: 1, backends: {}, policies: { rules: [{ name: "x", effect: "maybe" }] } }));
    expect(spawnCli(["explain", "-c", bad, "--as", "reader.json", "--request", '{"method":"tools/call","name":"a"}'], { cwd: folder }).code).toBe(1);
  });
});
