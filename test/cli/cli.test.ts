import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT, cli, fixture, spawnCli } from "../support/cli.js";

const version = JSON.parse(readFileSync(`${REPO_ROOT}package.json`, "utf8")).version;

describe("mcp-proxy CLI", () => {
  it("prints help and version from every command", async () => {
    for (const argv of [["--help"], ["validate", "--help"], ["print-config", "-h"], ["schema", "--help"], ["help", "validate"]]) {
      const result = await cli(argv);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/Usage: mcp-proxy/);
    }
    for (const argv of [["--version"], ["validate", "--version"], ["schema", "-v"]]) {
      expect(await cli(argv)).toEqual({ code: 0, stdout: `${version}\n`, stderr: "" });
    }
  });

  it("answers usage mistakes with exit 2 and a hint", async () => {
    const unknown = await cli(["frobnicate"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command "frobnicate"/);
    const wrongOption = await cli(["schema", "--config", "x.yaml"]);
    expect(wrongOption).toMatchObject({ code: 2, stderr: expect.stringMatching(/schema does not take --config/) });
    expect((await cli([])).code).toBe(2);
  });

  it("validate --format json prints the documented document for a valid config", async () => {
    const result = await cli(["validate", "--format", "json", "--config", fixture("ts-import/mcp-proxy.config.ts")]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ valid: true, file: fixture("ts-import/mcp-proxy.config.ts"), errors: [], warnings: [] });
  });

  it("validate --format json prints a document even when the file is missing (exit 2)", async () => {
    const result = await cli(["validate", "--format", "json", "--config", "missing.yaml"]);
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout)).toEqual({ valid: false, file: null, errors: [{ path: "", message: expect.stringMatching(/missing\.yaml does not exist/) }], warnings: [] });
  });

  it("print-config shows defaults and absolute paths but never a secret", async () => {
    const result = await cli(["print-config", "--config", fixture("twins/mcp-proxy.config.yaml")], { env: { TWIN_NOTES_TOKEN: "very-secret-value" } });
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain("very-secret-value");
    expect(result.stdout).not.toContain("search-key-value");
    const printed = JSON.parse(result.stdout);
    expect(printed.backends.notes.env.NOTES_TOKEN).toBe("******** (env:TWIN_NOTES_TOKEN)");
    expect(printed.backends.notes.session).toBe("per-client");
    expect(printed.bindings[0]).toMatchObject({ host: "127.0.0.1", path: "/mcp", ssePath: "/sse" });
  });

  it("the binary runs validate on a config found in the working directory", () => {
    const result = spawnCli(["validate"], { cwd: fixture("ts-import") });
    expect(result).toMatchObject({ code: 0, stdout: "mcp-proxy.config.ts: valid (1 backend, 1 binding)\n" });
  });
});
