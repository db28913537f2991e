import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { REPO_ROOT } from "./cli.js";

export interface ProxyProcess {
  readonly child: ChildProcess;
  /** Streamable HTTP endpoint (when an http binding is configured). */
  readonly url: string | undefined;
  /** Legacy SSE endpoint (when legacySse is on). */
  readonly sseUrl: string | undefined;
  /** Every Streamable HTTP endpoint, in binding order (several http bindings). */
  readonly urls: readonly string[];
  stderr(): string;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/** Writes a config into a fresh temp folder and returns the file's path. */
export function writeConfig(config: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), "mcp-proxy-it-"));
  const file = join(dir, "mcp-proxy.config.json");
  writeFileSync(file, JSON.stringify(config));
  return file;
}

/** The command line that runs the proxy on a config file (for clients that spawn it over stdio). */
export function proxyCommand(configFile: string): { command: string; args: string[] } {
  return { command: process.execPath, args: [`${REPO_ROOT}bin/mcp-proxy.js`, "start", "--config", configFile] };
}

/** Writes a config to a temp folder, runs `mcp-proxy start` on it as a real process, waits for its URLs. */
export async function startProxyProcess(config: Record<string, unknown>, options: { env?: Record<string, string>; waitForUrls?: boolean } = {}): Promise<ProxyProcess> {
  // Tests that list right after connecting expect every backend listed: on a loaded CI machine
  // a backend can take longer than the 5 s default wait, so tests wait as long as start-up may
  // take unless they test the wait itself.
  const limits = (config.limits ?? {}) as Record<string, unknown>;
  const file = writeConfig({ ...config, limits: { initializeWaitMs: 30_000, ...limits } });
  const wantsHttp = (config.bindings as Array<{ transport: string }> | undefined)?.some((b) => b.transport === "http") ?? true;
  return runProxyOnFile(file, { ...options, waitForUrls: wantsHttp && options.waitForUrls !== false });
}

/** Runs `mcp-proxy start` on a config file as it is (any format), waits for its URLs unless told not to. */
export async function runProxyOnFile(file: string, options: { env?: Record<string, string>; waitForUrls?: boolean; extraArgs?: string[] } = {}): Promise<ProxyProcess> {
  const dir = dirname(file);
  const { command, args: baseArgs } = proxyCommand(file);
  const args = [...baseArgs, ...(options.extraArgs ?? [])];
  const child = spawn(command, args, {
    cwd: dir,
    env: { ...process.env, ...options.env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const urls = await new Promise<{ url?: string; sseUrl?: string; all?: string[] }>((resolve, reject) => {
    if (options.waitForUrls === false) return resolve({});
    const timer = setTimeout(() => reject(new Error(`proxy did not start in 15 s:\n${stderr}`)), 15_000);
    const onData = (d: Buffer) => {
      stdout += d.toString();
      const url = /Streamable HTTP at (\S+)/.exec(stdout)?.[1];
      if (!url) return;
      clearTimeout(timer);
      child.stdout!.off("data", onData);
      // `start` announces every endpoint in one write.
      resolve({ url, sseUrl: /legacy SSE at (\S+)/.exec(stdout)?.[1], all: [...stdout.matchAll(/Streamable HTTP at (\S+)/g)].map((m) => m[1]!) });
    };
    child.stdout!.on("data", onData);
    void exited.then((code) => reject(new Error(`proxy exited with ${code}:\n${stderr}`)));
  });
  return {
    child,
    url: urls.url,
    sseUrl: urls.sseUrl,
    urls: urls.all ?? [],
    stderr: () => stderr,
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      return exited;
    },
  };
}
