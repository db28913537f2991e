import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
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

  it("a URI only a template produces is hidden when NEXT hides the template, as the gateway decides it", () => {
    const next = join(folder, "templates");
    mkdirSync(next);
    writeFileSync(join(next, "mcp-proxy.config.json"), config([{ name: "all", effect: "allow" }, { name: "no-templates", effect: "deny", match: { kinds: ["resourceTemplate"] } }]));
    writeFileSync(join(next, "mcp-proxy.test.yaml"), "snapshot: ./surface.snapshot.json\ncases: []\n");
    writeFileSync(
      join(next, "surface.snapshot.json"),
      JSON.stringify({ version: 1, backends: [{ backend: "crm", namespace: "crm", tools: [], prompts: [], resources: [], resourceTemplates: [{ uriTemplate: "crm://contacts/{id}", name: "contact" }] }] }),
    );
    const file = join(folder, "template-read.log");
    writeFileSync(file, line({ method: "resources/read", kind: "resource", target: "crm://contacts/1", rule: "all" }));
    const explained = spawnCli(["explain", "--config", join(next, "mcp-proxy.config.json"), "--as", '{"sub":"carol"}', "--request", '{"method":"resources/read","uri":"crm://contacts/1"}', "-f", "json"]);
    expect(JSON.parse(explained.stdout)).toMatchObject({ decision: "deny", hidden: true, rule: "no-templates" });
    const result = spawnCli(["replay", file, "--config", join(next, "mcp-proxy.config.json"), "-f", "json"]);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout).flips).toEqual([
      { from: "allow", to: "deny", rule: "no-templates", hidden: true, identities: [{ identity: "carol", requests: [expect.objectContaining({ line: 1, next: { decision: "deny", rule: "no-templates", hidden: true } })] }] },
    ]);
  });

  it("reads a line listing many labels in linear time (it compared each label with the session's previous ones)", () => {
    const next = join(folder, "labelled.config.json");
    writeFileSync(next, JSON.stringify({ ...JSON.parse(config([])), policies: { default: "allow", rules: [] }, backends: { crm: { transport: "stdio", command: process.execPath, args: ["x.mjs"], labels: ["x"] } } }));
    const file = join(folder, "many-labels.log");
    const many = (label: string) => new Array<string>(100_000).fill(label);
    writeFileSync(file, [line({ labelsSeen: many("y") }), line({ labelsSeen: many("x") })].join("\n"));
    const started = Date.now();
    const result = spawnCli(["replay", file, "--config", next]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/2 requests re-decided, 0 would flip/);
    // Quadratic, this took about 18 s; linear, well under a second beyond start-up.
    expect(Date.now() - started).toBeLessThan(8_000);
  });
});
