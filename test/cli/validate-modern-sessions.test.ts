import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { spawnCli } from "../support/cli.js";

it("validate warns (exit 0) when a rule reads session.*, since 2026-07-28 clients have no session", () => {
  const file = join(mkdtempSync(join(tmpdir(), "mcp-proxy-modern-")), "config.json");
  const rules = [
    { name: "no-egress-after-private", effect: "deny", when: { in: ["private", { var: "session.labelsSeen" }] } },
    { name: "admins", effect: "allow", when: { in: ["admin", { var: "identity.roles" }] } },
  ];
  writeFileSync(file, JSON.stringify({ version: 1, backends: { a: { transport: "stdio", command: process.execPath } }, policies: { default: "allow", rules } }));
  const result = spawnCli(["validate", "--format", "json", "--config", file]);
  expect(result.code).toBe(0);
  const report = JSON.parse(result.stdout) as { valid: boolean; warnings: Array<{ path: string; message: string }> };
  expect(report.valid).toBe(true);
  expect(report.warnings).toEqual([{ path: "policies.rules[0].when", message: expect.stringContaining("2026-07-28 clients, which have no session") }]);
});
