import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config/index.js";
import { cli, fixture } from "../support/cli.js";

describe("TypeScript configs", () => {
  it("load with sibling imports and list every imported file as a dependency", async () => {
    const loaded = await loadConfig({ configPath: fixture("ts-import/mcp-proxy.config.ts") });
    expect(loaded.config.bindings).toEqual([expect.objectContaining({ transport: "http", port: 8200 })]);
    expect(loaded.dependencies).toEqual([fixture("ts-import/mcp-proxy.config.ts"), fixture("ts-import/backends.ts")]);
  });

  it("see edits on the next load (hot reload depends on it)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mcp-proxy-ts-"));
    writeFileSync(join(dir, "port.ts"), "export const port = 9001;\n");
    writeFileSync(join(dir, "mcp-proxy.config.ts"), 'import { port } from "./port.js";\nexport default { version: 1, backends: { m: { transport: "stdio", command: "m" } }, bindings: [{ transport: "http", port }] };\n');
    const first = await loadConfig({ cwd: dir });
    writeFileSync(join(dir, "port.ts"), "export const port = 9002;\n");
    const second = await loadConfig({ cwd: dir });
    expect([first.config.bindings[0], second.config.bindings[0]].map((b) => (b?.transport === "http" ? b.port : 0))).toEqual([9001, 9002]);
  });

  it("name the sibling file and line when the sibling throws", async () => {
    const result = await cli(["validate", "--format", "json", "--config", fixture("throwing/mcp-proxy.config.ts")]);
    expect(result.code).toBe(1);
    const { errors } = JSON.parse(result.stdout);
    expect(errors).toEqual([
      { path: "", message: `config threw while loading: the sibling module refused to build backends (at ${fixture("throwing/broken-sibling.ts")}:2:9)` },
    ]);
  });

  it("call the function form with the environment and the config's folder, awaiting the async form", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mcp-proxy-fn-"));
    writeFileSync(
      join(dir, "mcp-proxy.config.mts"),
      'export default async ({ env, configDir }) => ({ version: 1, backends: { m: { transport: "stdio", command: env.SERVER_CMD, cwd: configDir + "/work" } } });\n',
    );
    const loaded = await loadConfig({ cwd: dir, env: { SERVER_CMD: "my-server" } });
    expect(loaded.config.backends.m).toMatchObject({ command: "my-server", cwd: join(dir, "work") });
  });

  it("report a function form that throws as invalid, not as a crash", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mcp-proxy-fn-"));
    writeFileSync(join(dir, "mcp-proxy.config.ts"), "export default () => {\n  throw new Error('no backends for you');\n};\n");
    const error = await loadConfig({ cwd: dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues[0]?.message).toMatch(/no backends for you \(at .*mcp-proxy\.config\.ts:2:9\)/);
  });
});
