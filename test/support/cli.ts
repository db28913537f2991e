import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { runCli } from "../../src/cli/main.js";

export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const fixture = (...parts: string[]) => fileURLToPath(new URL(`../fixtures/${parts.join("/")}`, import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process through the same entry the binary uses. */
export async function cli(argv: string[], options: { cwd?: string; env?: Record<string, string | undefined> } = {}): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(argv, {
    out: (t) => (stdout += t),
    err: (t) => (stderr += t),
    cwd: options.cwd ?? REPO_ROOT,
    env: options.env ?? {},
  });
  return { code, stdout, stderr };
}

/** Runs the installed binary as a user would (`npx mcp-proxy …` resolves to this file). */
export function spawnCli(argv: string[], options: { cwd?: string; env?: Record<string, string | undefined> } = {}): CliResult {
  const result = spawnSync(process.execPath, [`${REPO_ROOT}bin/mcp-proxy.js`, ...argv], {
    cwd: options.cwd ?? REPO_ROOT,
    env: { PATH: process.env.PATH, ...options.env },
    encoding: "utf8",
    timeout: 30_000,
  });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}
