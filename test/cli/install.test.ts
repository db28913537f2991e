import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { Client } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../support/cli.js";
import { recorderBackend } from "../support/mcp-clients.js";
import { writeConfig } from "../support/proxy-process.js";

const README = readFileSync(`${REPO_ROOT}README.md`, "utf8");
const version = JSON.parse(readFileSync(`${REPO_ROOT}package.json`, "utf8")).version as string;
/** A user's PATH: node, the system, and (after the install) the prefix's bin; no node_modules/.bin. */
const basePath = [dirname(process.execPath), "/usr/bin", "/bin"].join(delimiter);

/** The `command`/`args` the README gives Claude Desktop, with its placeholders filled in. */
function documentedClaudeCommand(configFile: string): { command: string; args: string[] } {
  const block = /\*\*Claude Desktop\*\*[\s\S]*?```json\n([\s\S]*?)```/.exec(README)?.[1];
  if (!block) throw new Error("README has no Claude Desktop config block");
  const server = (JSON.parse(block) as { mcpServers: Record<string, { command: string; args: string[] }> }).mcpServers.gateway!;
  const fill = (text: string) =>
    text.replace("/usr/local/bin/node", process.execPath).replace("/path/to/mcp-portcullis/", REPO_ROOT).replace("/path/to/mcp-proxy.config.ts", configFile);
  return { command: fill(server.command), args: server.args.map(fill) };
}

async function listToolsOver(command: string, args: string[], cwd: string): Promise<string[]> {
  const client = new Client({ name: "desktop-app", version: "1.0.0" });
  await client.connect(new StdioClientTransport({ command, args, cwd, env: { PATH: basePath }, stderr: "pipe" }), { timeout: 30_000 });
  try {
    return (await client.listTools()).tools.map((t) => t.name);
  } finally {
    await client.close();
  }
}

describe("the commands the README documents, run as a user would outside the clone", () => {
  const stdioConfig = writeConfig({ version: 1, backends: { alpha: recorderBackend("alpha") }, bindings: [{ transport: "stdio" }] });
  const elsewhere = mkdtempSync(join(tmpdir(), "mcp-proxy-user-"));

  it("the Claude Desktop command starts the gateway over stdio", async () => {
    const { command, args } = documentedClaudeCommand(stdioConfig);
    expect(command).toBe(process.execPath);
    expect(await listToolsOver(command, args, elsewhere)).toContain("alpha__search");
  });

  it("`npm install -g .` (into a temporary prefix, never the machine's) gives a working mcp-proxy", async () => {
    expect(README).toContain("npm install -g .");
    const prefix = mkdtempSync(join(tmpdir(), "mcp-proxy-prefix-"));
    const install = spawnSync("npm", ["install", "-g", ".", "--prefix", prefix, "--no-audit", "--no-fund", "--offline"], {
      cwd: REPO_ROOT,
      encoding: "utf8",
      timeout: 150_000,
    });
    expect(install.status, install.stderr).toBe(0);
    const env = { PATH: [join(prefix, "bin"), basePath].join(delimiter) };
    const run = (args: string[]) => spawnSync("mcp-proxy", args, { cwd: elsewhere, env, encoding: "utf8", timeout: 30_000 });
    expect(run(["--version"])).toMatchObject({ status: 0, stdout: `${version}\n` });
    expect(run(["validate", "--config", `${REPO_ROOT}examples/single-stdio/mcp-proxy.config.ts`])).toMatchObject({
      status: 0,
      stdout: expect.stringMatching(/mcp-proxy\.config\.ts: valid \(1 backend, 1 binding\)\n$/),
    });
    expect(await listToolsOver(join(prefix, "bin", "mcp-proxy"), ["start", "--config", stdioConfig], elsewhere)).toContain("alpha__search");
    // Removes the prefix's link to the clone, never the clone.
    rmSync(prefix, { recursive: true, force: true });
  }, 200_000);
});
