import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { spawnCli } from "../support/cli.js";

// Replay over audit lines written by hand: what a damaged or crafted file makes of it.

let folder: string;
const config = (rules: unknown[], extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    version: 1,
    backends: { crm: { transport: "stdio", command: process.execPath, args: ["never-started.mjs"] } },
    naming: { prefix: "always", separator: "__" },
    policies: { default: "deny", rules },
    ...extra,
  });
const line = (fields: Record<string, unknown>) =>
  JSON.stringify({ event: "request", time: "2026-01-05T10:00:00.000Z", session: "s1", binding: "http-0", labelsSeen: [], identity: { sub: "carol", roles: [] }, method: "tools/call", kind: "tool", backend: "crm", target: "crm__search", decision: "allow", rule: "office-hours", ...fields });

beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), "policy-replay-crafted-"));
  writeFileSync(join(folder, "office-hours.config.json"), config([{ name: "office-hours", effect: "allow", when: { "<": [{ var: "time.hour" }, 18] } }]));
});

describe("mcp-proxy replay over crafted lines", () => {
  it("a line without a readable time leaves the time unknown: undecidable for a rule reading it, no crash, no guess at now", () => {
    const file = join(folder, "bad-time.log");
    writeFileSync(file, [line({ time: "not a time" }), line({ time: undefined }), line({})].join("\n"));
    const result = spawnCli(["replay", file, "--config", join(folder, "office-hours.config.json"), "-f", "json"]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout);
    expect(doc).toMatchObject({ requests: 3, flipped: 0, unchanged: 1 });
    expect(doc.undecidable.map((r: { line: number }) => r.line)).toEqual([1, 2]);
    expect(doc.undecidable[0].next).toMatchObject({ decision: "undecidable", unknownRules: ["office-hours"], unknown: [expect.stringContaining("time")] });
  });
});
