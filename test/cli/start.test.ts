import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { delimiter } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { REPO_ROOT, spawnCli } from "../support/cli.js";
import { connectClient, waitFor } from "../support/mcp-clients.js";
import { writeConfig } from "../support/proxy-process.js";

/** PATH as a user's shell has it outside `npm run`: no node_modules/.bin anywhere. */
const PLAIN_PATH = (process.env.PATH ?? "").split(delimiter).filter((dir) => !dir.includes("node_modules")).join(delimiter);

interface Started {
  readonly child: ChildProcessWithoutNullStreams;
  readonly url: string;
  readonly exited: Promise<number | null>;
  output(): string;
}

const running: ChildProcessWithoutNullStreams[] = [];
afterEach(() => {
  for (const child of running.splice(0)) if (child.exitCode === null) child.kill("SIGTERM");
});

/** Runs `bin/mcp-proxy.js start …` as a real process and waits for the URL it announces (stdout or stderr). */
async function startBinary(args: string[], options: { cwd?: string } = {}): Promise<Started> {
  const child = spawn(process.execPath, [`${REPO_ROOT}bin/mcp-proxy.js`, "start", ...args], {
    cwd: options.cwd ?? "/",
    env: { PATH: PLAIN_PATH, HOME: process.env.HOME },
    stdio: ["pipe", "pipe", "pipe"],
  });
  running.push(child);
  let output = "";
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL in 15 s:\n${output}`)), 15_000);
    const onData = (d: Buffer) => {
      output += d.toString();
      const found = /Streamable HTTP at (\S+)/.exec(output)?.[1];
      if (found) {
        clearTimeout(timer);
        resolve(found);
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    void exited.then((code) => reject(new Error(`exited with ${code}:\n${output}`)));
  });
  return { child, url, exited, output: () => output };
}

/** What any HTTP client sees first: does the endpoint answer an initialize? */
async function initializeStatus(url: string): Promise<number> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "probe", version: "1" } },
    }),
  });
  await response.body?.cancel();
  return response.status;
}

describe("mcp-proxy start", () => {
  it("keeps serving HTTP after the stdio client closes stdin, and exits 0 on SIGTERM", async () => {
    const file = writeConfig({
      version: 1,
      backends: { echo: { transport: "stdio", command: process.execPath, args: [`${REPO_ROOT}test/support/servers/recorder-server.mjs`, "stdio", "echo"] } },
      bindings: [{ transport: "stdio" }, { transport: "http", port: 0 }],
      logging: { level: "info" },
    });
    const proxy = await startBinary(["--config", file]);
    proxy.child.stdin.end();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(proxy.child.exitCode).toBeNull();
    expect(proxy.output()).toContain("stdio client disconnected; the other bindings keep serving");
    expect(await initializeStatus(proxy.url)).toBe(200);
    proxy.child.kill("SIGTERM");
    expect(await proxy.exited).toBe(0);
  });

  it("--port and --host override the first HTTP binding", async () => {
    const file = writeConfig({
      version: 1,
      backends: { echo: { transport: "stdio", command: process.execPath, args: [`${REPO_ROOT}test/support/servers/recorder-server.mjs`, "stdio", "echo"] } },
      bindings: [{ transport: "http", host: "127.0.0.1", port: 1 }],
    });
    const proxy = await startBinary(["--config", file, "--port", "0", "--host", "127.0.0.2"]);
    expect(proxy.url).toMatch(/^http:\/\/127\.0\.0\.2:\d+\/mcp$/);
    expect(proxy.url).not.toMatch(/:1\/mcp$/);
    expect(await initializeStatus(proxy.url)).toBe(200);
  });

  it("refuses --port for a config with no HTTP binding, and names an unknown option in its own words", () => {
    const file = writeConfig({ version: 1, backends: { a: { transport: "stdio", command: process.execPath } }, bindings: [{ transport: "stdio" }] });
    expect(spawnCli(["start", "--config", file, "--port", "9000"])).toMatchObject({
      code: 2,
      stderr: "mcp-proxy: --port and --host apply to an HTTP binding, and this config has none\n",
    });
    expect(spawnCli(["start", "--port", "http"])).toMatchObject({ code: 2, stderr: 'mcp-proxy: --port must be an integer from 0 to 65535 (got "http")\n' });
    expect(spawnCli(["start", "--foo"])).toEqual({ code: 2, stdout: "", stderr: "mcp-proxy: unknown option --foo for 'start' (see mcp-proxy start --help)\n" });
    expect(spawnCli(["--foo"])).toEqual({ code: 2, stdout: "", stderr: "mcp-proxy: unknown option --foo (see mcp-proxy --help)\n" });
    expect(spawnCli(["start", "--port"])).toEqual({ code: 2, stdout: "", stderr: "mcp-proxy: --port needs a value (see mcp-proxy start --help)\n" });
    expect(spawnCli(["validate", "--strict=yes"])).toEqual({ code: 2, stdout: "", stderr: "mcp-proxy: --strict takes no value (see mcp-proxy validate --help)\n" });
  });

  it("runs an example's bare command from node_modules/.bin without it on PATH, from any working directory", async () => {
    const proxy = await startBinary(["--config", `${REPO_ROOT}examples/single-stdio/mcp-proxy.config.ts`, "--port", "0"], { cwd: "/" });
    const client = await connectClient("http", { url: proxy.url });
    try {
      const { tools } = await client.client.listTools();
      expect(tools.map((t) => t.name)).toContain("memory__read_graph");
    } finally {
      await client.close();
    }
  });

  // util-linux `script` gives the proxy a terminal as stderr, as a person running it has.
  it("logs readable lines to a terminal and JSON lines to anything else", async () => {
    const file = writeConfig({
      version: 1,
      backends: { echo: { transport: "stdio", command: process.execPath, args: [`${REPO_ROOT}test/support/servers/recorder-server.mjs`, "stdio", "echo"] } },
      bindings: [{ transport: "http", port: 0 }],
    });
    const piped = await startBinary(["--config", file]);
    expect(await waitFor(() => piped.output().includes("gateway started"))).toBe(true);
    expect(piped.output()).toMatch(/^\{"level":30,"time":\d+,"name":"mcp-proxy",.*"msg":"gateway started"\}$/m);

    const inner = `echo "pid $$"; exec ${JSON.stringify(process.execPath)} ${REPO_ROOT}bin/mcp-proxy.js start --config ${file}`;
    const terminal = spawn("script", ["-qec", inner, "/dev/null"], { env: { PATH: PLAIN_PATH }, stdio: ["pipe", "pipe", "pipe"] });
    running.push(terminal);
    let seen = "";
    terminal.stdout.on("data", (d: Buffer) => (seen += d.toString()));
    const started = await new Promise<boolean>((resolve) => {
      const timer = setInterval(() => /gateway started/.test(seen) && (clearInterval(timer), resolve(true)), 50);
      setTimeout(() => (clearInterval(timer), resolve(false)), 15_000);
    });
    const exited = new Promise<number | null>((resolve) => terminal.once("exit", (code) => resolve(code)));
    const pid = Number(/pid (\d+)/.exec(seen)?.[1]);
    if (pid) process.kill(pid, "SIGTERM");
    expect(await exited).toBe(0);
    expect(started).toBe(true);
    expect(seen).toMatch(/^\d\d:\d\d:\d\d\.\d{3} INFO  gateway started file=\S+ endpoints=\[.*\] backends=\["echo"\]\r?$/m);
    expect(seen).not.toContain('"level":30');
  });
});
