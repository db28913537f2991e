import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { openAuditLog } from "../../src/audit/index.js";
import { spawnCli } from "../support/cli.js";

// Runs the built binary (bin/mcp-proxy.js → dist/), as a user would after npm install.

let folder: string;

async function writeChain(name: string, count: number): Promise<string> {
  const file = join(folder, name);
  const log = await openAuditLog({ sink: "file", file, chain: true, onFailure: "log" }, () => undefined);
  for (let id = 1; id <= count; id++) log.write({ time: 1_700_000_000_000 + id, outcome: "allowed", method: "tools/call", id });
  await log.close();
  return file;
}

const linesOf = (file: string) => readFileSync(file, "utf8").split("\n").slice(0, -1);
const rewrite = (file: string, lines: string[]) => writeFileSync(file, lines.map((line) => `${line}\n`).join(""));

beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), "audit-verify-cli-"));
});

describe("mcp-proxy audit verify", () => {
  it("says a chained file written by the gateway's sink is intact (exit 0)", async () => {
    await writeChain("intact.jsonl", 5);
    expect(spawnCli(["audit", "verify", "intact.jsonl"], { cwd: folder })).toEqual({ code: 0, stdout: "intact.jsonl: 5 lines, chain intact\n", stderr: "" });
  });

  it("names line 3 when a field in it was edited (exit 1)", async () => {
    const file = await writeChain("edited.jsonl", 5);
    const lines = linesOf(file);
    lines[2] = lines[2]!.replace('"outcome":"allowed"', '"outcome":"denied"');
    rewrite(file, lines);
    const result = spawnCli(["audit", "verify", file]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(new RegExp(`^${file}: line 3: hash mismatch`));
  });

  it("names the line after the gap when a line was deleted (exit 1)", async () => {
    const file = await writeChain("deleted.jsonl", 5);
    const lines = linesOf(file);
    lines.splice(1, 1);
    rewrite(file, lines);
    const result = spawnCli(["audit", "verify", file]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/: line 2: broken link/);
  });

  it("says where a file continues from when it starts mid-chain (a rotated file)", async () => {
    const file = await writeChain("tail.jsonl", 4);
    const lines = linesOf(file);
    const cutAt = JSON.parse(lines[1]!).hash;
    rewrite(file, lines.slice(2));
    expect(spawnCli(["audit", "verify", file]).stdout).toBe(`${file}: 2 lines, chain intact, continues from ${cutAt}\n`);
  });

  it("answers usage mistakes with exit 2 and a hint", () => {
    const missingArgument = spawnCli(["audit", "verify"]);
    expect(missingArgument).toMatchObject({ code: 2, stderr: expect.stringMatching(/audit verify needs the audit file/) });
    expect(spawnCli(["audit"])).toMatchObject({ code: 2, stderr: expect.stringMatching(/audit needs a subcommand/) });
    expect(spawnCli(["audit", "check", "x"])).toMatchObject({ code: 2, stderr: expect.stringMatching(/unknown audit subcommand "check"/) });
  });

  it("answers a file it cannot read with exit 2 and why", () => {
    expect(spawnCli(["audit", "verify", "nope.jsonl"], { cwd: folder })).toMatchObject({ code: 2, stderr: "mcp-proxy: cannot read nope.jsonl: it does not exist\n" });
    expect(spawnCli(["audit", "verify", folder])).toMatchObject({ code: 2, stderr: expect.stringMatching(/it is a folder/) });
  });

  it("has its own help and is listed in the top-level help", () => {
    expect(spawnCli(["audit", "--help"])).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Usage: mcp-proxy audit verify FILE/) });
    expect(spawnCli(["--help"]).stdout).toMatch(/audit verify +check an audit file's hash chain/);
  });
});
