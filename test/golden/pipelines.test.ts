import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compile } from "../../src/compile/compile.js";
import { loadConfig } from "../../src/config/index.js";
import { REPO_ROOT } from "../support/cli.js";

// config → compiled pipeline description, for every example and the default config. A change
// to naming, routes or the chain's stages shows up here as a reviewable diff of these files.

const examples = readdirSync(`${REPO_ROOT}examples`, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => {
    const file = readdirSync(`${REPO_ROOT}examples/${d.name}`).find((f) => f.startsWith("mcp-proxy.config."));
    return [d.name, `${REPO_ROOT}examples/${d.name}/${file}`] as const;
  });

const cases = [...examples, ["default", `${REPO_ROOT}mcp-proxy.config.ts`] as const];

describe("the compiled pipeline of each example config", () => {
  it.each(cases)("%s", async (name, file) => {
    const { config } = await loadConfig({ configPath: file, cwd: REPO_ROOT, env: {} });
    const description = compile(config).describe();
    await expect(`${JSON.stringify(description, null, 2)}\n`).toMatchFileSnapshot(`./pipelines/${name}.json`);
  });

  it("orders the chain by stage, whatever the config's order, leaving out stages with nothing configured", async () => {
    const { config } = await loadConfig({ configPath: `${REPO_ROOT}mcp-proxy.config.ts`, cwd: REPO_ROOT, env: {} });
    expect(compile(config).describe().stages).toEqual(["authenticate", "resolveTarget", "forward"]);
    // The toxic-flows config writes its interceptor after filters and policies; it still runs after authorize, filters innermost.
    const { config: toxic } = await loadConfig({ configPath: `${REPO_ROOT}examples/toxic-flows/mcp-proxy.config.ts`, cwd: REPO_ROOT, env: {} });
    expect(compile(toxic).describe().stages).toEqual(["authenticate", "resolveTarget", "authorize", "custom:only-known-webhooks", "filter", "forward"]);
  });
});
