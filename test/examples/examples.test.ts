import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { REPO_ROOT, cli, spawnCli } from "../support/cli.js";

const folders = readdirSync(`${REPO_ROOT}examples`, { withFileTypes: true }).filter((d) => d.isDirectory());
const configOf = (folder: string) => {
  const file = readdirSync(`${REPO_ROOT}examples/${folder}`).find((f) => f.startsWith("mcp-proxy.config."));
  if (!file) throw new Error(`examples/${folder} has no mcp-proxy.config.* file`);
  return `examples/${folder}/${file}`;
};


describe("every example is a valid config", () => {
  it("has at least four scenarios, each with a README", () => {
    expect(folders.length).toBeGreaterThanOrEqual(4);
    for (const folder of folders) expect(readdirSync(`${REPO_ROOT}examples/${folder.name}`)).toContain("README.md");
  });

  it.each(folders.map((f) => f.name))("examples/%s validates through the validate command, secrets resolved", async (folder) => {
    const result = await cli(["validate", "--config", configOf(folder)]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/: valid \(/);
  });

  it.each(folders.map((f) => f.name))("examples/%s validates in CI mode without its secrets", async (folder) => {
    const result = await cli(["validate", "--skip-secrets", "--config", configOf(folder)]);
    expect(result.code).toBe(0);
  });

  it.each(folders.map((f) => f.name))("examples/%s validates through the real binary with no environment", (folder) => {
    const result = spawnCli(["validate", "--config", configOf(folder)]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
  });

  it("the default mcp-proxy.config.ts validates through the real binary", () => {
    const result = spawnCli(["validate"]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^mcp-proxy\.config\.ts: valid \(\d+ backends/);
  });
});
