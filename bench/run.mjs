#!/usr/bin/env node
// tools/call latency and throughput of our proxy next to the backend alone, Node's HTTP floor
// and two peer bridges, in one run on loopback. See bench/README.md.
//
//   node bench/run.mjs                       # every target
//   node bench/run.mjs --only ours --cpu-prof  # one target, its server process profiled
//   node bench/run.mjs --client sdk          # HTTP targets driven by the MCP SDK client, not the lean one
//
// Settings (environment): BENCH_SECONDS (5) measured per target, BENCH_SESSIONS (16) concurrent
// sessions, BENCH_WARMUP (200) and BENCH_WARMUP_SECONDS (3): the warm-up lasts at least both,
// BENCH_ROUNDS (1) passes over the targets, whose measurements are pooled (more rounds even
// out background load), BENCH_ONLY (ids, comma-separated; or --only), BENCH_CLIENT (lean; or
// --client: lean or sdk, what drives the HTTP targets).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { measure, warmUp } from "./load.mjs";
import { formatReload, measureReload } from "./reload.mjs";
import { withCleanup } from "./processes.mjs";
import { cpuTimes } from "./proctree.mjs";
import { formatProfile, profilesIn, summarizeProfile } from "./profile.mjs";
import { computeRatios, formatCpuTable, formatNotes, formatRatios, formatTable, isValid, resultOf, writeResults } from "./report.mjs";

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const ROOT_DIR = dirname(BENCH_DIR);
const RESULTS_DIR = join(BENCH_DIR, "results");
const CALL_TIMEOUT_MS = 10_000;
const STARTUP_TIMEOUT_MS = 60_000;

/** A mistake in how the bench was invoked: reported in one line, exit 2. */
class UsageError extends Error {}

/**
 * What drives the HTTP targets (the stdio-direct row always uses the SDK's stdio client). The
 * lean one is the default because the SDK client costs ~0.6 ms of CPU per call in the bench
 * process, which on two cores makes the client the bottleneck of every HTTP row.
 */
const CLIENTS = {
  lean: "lean node:http client (bench/http-client.mjs): raw MCP handshake, 1 keep-alive socket per session, JSON or SSE answers",
  sdk: "MCP TypeScript SDK v1 Client.callTool over StreamableHTTPClientTransport (fetch)",
};

function settings() {
  const { values } = parseArgs({
    options: { only: { type: "string" }, client: { type: "string" }, "cpu-prof": { type: "boolean", default: false }, help: { type: "boolean", default: false } },
  });
  const client = values.client ?? process.env.BENCH_CLIENT ?? "lean";
  if (!CLIENTS[client]) throw new UsageError(`--client must be one of ${Object.keys(CLIENTS).join(", ")} (got ${client})`);
  const int = (name, fallback, min, max) => {
    const raw = process.env[name];
    const value = raw === undefined || raw === "" ? fallback : Number(raw);
    if (!Number.isFinite(value) || value < min || value > max) throw new UsageError(`${name} must be a number from ${min} to ${max} (got ${raw})`);
    return value;
  };
  return {
    help: values.help,
    seconds: int("BENCH_SECONDS", 5, 0.5, 600),
    sessions: Math.round(int("BENCH_SESSIONS", 16, 1, 256)),
    warmupCalls: Math.round(int("BENCH_WARMUP", 200, 0, 100_000)),
    warmupSeconds: int("BENCH_WARMUP_SECONDS", 3, 0, 600),
    rounds: Math.round(int("BENCH_ROUNDS", 1, 1, 20)),
    reloadSessions: Math.round(int("BENCH_RELOAD_SESSIONS", 100, 1, 1000)),
    reloads: Math.round(int("BENCH_RELOADS", 10, 1, 200)),
    only: (values.only ?? process.env.BENCH_ONLY ?? "").split(",").map((s) => s.trim()).filter(Boolean),
    cpuProf: values["cpu-prof"],
    client,
  };
}

/** The proxy must be built already; the peers are installed into bench/ on first use. */
function preflight() {
  if (!existsSync(join(ROOT_DIR, "dist", "cli", "bin.js"))) {
    throw new Error("dist/ is missing: run `npm run build` in the repository root first (the bench builds nothing).");
  }
  for (const pkg of ["@modelcontextprotocol/sdk", "@modelcontextprotocol/server-everything"]) {
    if (!existsSync(join(ROOT_DIR, "node_modules", pkg, "package.json"))) throw new Error(`${pkg} is missing from node_modules: run \`npm ci\` in the repository root first.`);
  }
  const installed = ["supergateway", "mcp-proxy"].every((p) => existsSync(join(BENCH_DIR, "node_modules", p, "package.json")));
  if (installed) return;
  process.stderr.write("bench: installing the peer bridges into bench/node_modules (npm ci --prefix bench)…\n");
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const result = spawnSync(npm, ["ci", "--prefix", BENCH_DIR], {
    cwd: ROOT_DIR,
    stdio: "inherit",
    timeout: 600_000,
    env: { ...process.env, npm_config_loglevel: "error", npm_config_fund: "false", npm_config_audit: "false" },
  });
  if (result.status !== 0) throw new Error(`npm ci --prefix bench failed (${result.error?.message ?? `exit ${result.status}`})`);
}

/** CPU ms the server process (bridge) and its children (backends) used so far. */
function serverCpu(started) {
  if (started.pid) {
    const t = cpuTimes(started.pid);
    return t && { bridgeMs: t.selfMs, backendMs: t.descendantsMs };
  }
  const t = started.backendPid && cpuTimes(started.backendPid);
  return t && { bridgeMs: NaN, backendMs: t.selfMs + t.descendantsMs }; // no server process in between
}

/** Starts one target, warms it up, measures it, stops it. */
async function runTarget(target, ctx) {
  const started = await target.start(ctx);
  try {
    const warmup = await warmUp(started.workers, { minCalls: ctx.warmupCalls, minMs: ctx.warmupSeconds * 1000 });
    const before = serverCpu(started);
    const run = await measure(started.workers, ctx.durationMs);
    const after = serverCpu(started);
    if (before && after) run.serverCpu = { bridgeMs: after.bridgeMs - before.bridgeMs, backendMs: after.backendMs - before.backendMs };
    // TCP connections the client opened, handshake and warm-up included: = sessions when keep-alive held.
    const connections = started.connections?.();
    return { warmup, run, mode: started.mode, connections };
  } finally {
    await started.close();
  }
}

function profileFlags(cpuProf, profileDir) {
  return (id) => (cpuProf ? ["--cpu-prof", "--cpu-prof-dir", join(profileDir, id)] : []);
}

function printHeader(s, targets) {
  const load = loadavg()[0];
  const cores = cpus().length;
  console.log(`mcp-portcullis bench: ${targets.length} targets × ${s.rounds} round(s), ${s.seconds} s measured each, ${s.sessions} concurrent sessions, warm-up ${s.warmupSeconds} s and ≥ ${s.warmupCalls} calls`);
  console.log(`machine: ${cores} × ${cpus()[0]?.model ?? "cpu"}, Node ${process.version}, load average ${load.toFixed(2)}`);
  console.log(`client (HTTP targets): ${s.client}, the ${CLIENTS[s.client]}; stdio direct: SDK stdio client`);
  if (load > cores * 0.5) console.log(`warning: the machine is busy (load ${load.toFixed(2)} on ${cores} cores); numbers will be noisy. Compare ratios, not absolutes.`);
  console.log("");
}

async function main(s, interrupted) {
  const { TARGETS, versions } = await import("./targets.mjs");
  // "reload" is not a call target: it is measured after the table (bench/reload.mjs).
  const withReload = s.only.length === 0 || s.only.includes("reload");
  const only = s.only.filter((id) => id !== "reload");
  const unknown = only.filter((id) => !TARGETS.some((t) => t.id === id));
  if (unknown.length) throw new UsageError(`unknown target(s) ${unknown.join(", ")}; known: ${TARGETS.map((t) => t.id).join(", ")}`);
  const targets = only.length ? TARGETS.filter((t) => only.includes(t.id)) : s.only.length ? [] : TARGETS;
  const workDir = join(RESULTS_DIR, "work");
  const profileDir = join(RESULTS_DIR, "profiles");
  rmSync(workDir, { recursive: true, force: true });
  if (s.cpuProf) rmSync(profileDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  printHeader(s, targets);

  const ctx = {
    sessions: s.sessions,
    warmupCalls: s.warmupCalls,
    warmupSeconds: s.warmupSeconds,
    durationMs: (s.seconds * 1000) / s.rounds,
    callTimeoutMs: CALL_TIMEOUT_MS,
    startupTimeoutMs: STARTUP_TIMEOUT_MS,
    workDir,
    nodeFlags: profileFlags(s.cpuProf, profileDir),
    client: s.client,
  };
  const collected = new Map(targets.map((t) => [t.id, { runs: [], warmups: [], failures: [], mode: undefined }]));
  const loadBefore = loadavg();
  for (let round = 0; round < s.rounds; round++) {
    // Each round starts at a different target, so none always runs first (cold disk cache) or last.
    const order = targets.map((_, i) => targets[(i + round) % targets.length]);
    for (const target of order) {
      if (interrupted.aborted) return 130;
      const entry = collected.get(target.id);
      process.stdout.write(`${s.rounds > 1 ? `round ${round + 1}: ` : ""}${target.label}… `);
      try {
        const { warmup, run, mode, connections } = await runTarget(target, ctx);
        entry.runs.push(run);
        entry.warmups.push(warmup);
        entry.mode = mode;
        console.log(`${run.latencies.length} ok, ${run.errors} errors, ${run.wrong} wrong${connections === undefined ? "" : `, ${connections} TCP connections`}`);
      } catch (error) {
        entry.failures.push(error.message);
        console.log(`FAILED: ${error.message.split("\n")[0]}`);
      }
    }
  }

  let reload;
  if (withReload && !interrupted.aborted) {
    process.stdout.write(`reload time, ${s.reloadSessions} sessions… `);
    try {
      reload = await measureReload({ workDir, sessions: s.reloadSessions, reloads: s.reloads, startupTimeoutMs: STARTUP_TIMEOUT_MS, callTimeoutMs: CALL_TIMEOUT_MS });
      console.log(`${reload.reloads} reloads`);
    } catch (error) {
      reload = { failed: error.message };
      console.log(`FAILED: ${error.message.split("\n")[0]}`);
    }
  }

  if (interrupted.aborted) return 130; // a run cut short reports nothing and leaves latest.json alone
  const results = targets.map((t) => resultOf(t, collected.get(t.id), ctx));
  const ratios = computeRatios(results);
  if (results.length) {
    console.log(`\n${formatTable(results)}\n\n${formatRatios(ratios, results)}\n`);
    console.log(`${formatCpuTable(results, s.client)}\n`);
    console.log(formatNotes(results));
  }
  if (reload && !reload.failed) console.log(`\n${formatReload(reload)}`);

  // One profile per target process; when several rounds ran, each wrote one and the newest is shown.
  const windowsOf = (id) => collected.get(id).runs.map((r) => r.windowUs);
  const profiles = s.cpuProf ? targets.flatMap((t) => profilesIn(join(profileDir, t.id)).slice(0, 1).map((f) => ({ target: t.id, ...summarizeProfile(f, { windows: windowsOf(t.id) }) }))) : [];
  for (const p of profiles) {
    const cpuMs = Math.round(collected.get(p.target).runs.reduce((sum, r) => sum + (r.serverCpu?.bridgeMs ?? 0), 0));
    p.processCpuMs = cpuMs;
    console.log(`\n${p.target}: ${formatProfile(p)}\n(/proc: the same process used ${cpuMs} ms of CPU in the measured period, all threads)`);
  }

  const file = join(RESULTS_DIR, "latest.json");
  writeResults(file, {
    date: new Date().toISOString(),
    settings: { seconds: s.seconds, sessions: s.sessions, warmupCalls: s.warmupCalls, warmupSeconds: s.warmupSeconds, rounds: s.rounds, callTimeoutMs: CALL_TIMEOUT_MS, client: s.client, clientDescription: CLIENTS[s.client] },
    machine: { cpus: cpus().length, model: cpus()[0]?.model, loadavgBefore: loadBefore, loadavgAfter: loadavg() },
    versions: { ...versions(), git: gitState() },
    results,
    ratios,
    profiles,
    ...(reload ? { reload } : {}),
  });
  console.log(`\nresults: ${file}`);
  const invalid = results.filter((r) => !isValid(r));
  if (reload && (reload.failed || reload.failedCalls)) invalid.push({ label: "reload" });
  if (invalid.length) console.log(`NOT VALID: ${invalid.map((r) => r.label).join(", ")} (failed, errors or wrong answers; see above and the results file)`);
  return invalid.length ? 1 : 0;
}

/** The commit measured, and whether src/ had uncommitted changes (read-only git). */
function gitState() {
  const git = (...args) => spawnSync("git", args, { cwd: ROOT_DIR, encoding: "utf8", timeout: 10_000 });
  const head = git("rev-parse", "HEAD");
  if (head.status !== 0) return undefined;
  const dirty = git("status", "--porcelain", "--", "src");
  return { commit: head.stdout.trim(), srcDirty: dirty.stdout.trim() !== "" };
}

let s;
try {
  s = settings();
} catch (error) {
  console.error(`bench: ${error.message}`);
  process.exit(2);
}
if (s.help) {
  console.log(
    "usage: node bench/run.mjs [--only ID[,ID…]] [--client lean|sdk] [--cpu-prof]\n" +
      "ids: stdio, floor, ours, supergateway, mcp-proxy, ours-shared, ours-bare, ours-enforced, reload\n" +
      "env: BENCH_SECONDS (5), BENCH_SESSIONS (16), BENCH_WARMUP (200 calls), BENCH_WARMUP_SECONDS (3), BENCH_ROUNDS (1), BENCH_ONLY, BENCH_CLIENT (lean), BENCH_RELOAD_SESSIONS (100), BENCH_RELOADS (10)\n" +
      "see bench/README.md",
  );
  process.exit(0);
}
try {
  preflight();
} catch (error) {
  console.error(`bench: ${error.message}`);
  process.exit(2);
}
// Generous but finite: start-up, warm-up and measurement of every target, plus shutdowns.
const hardLimitMs = ((s.seconds + s.warmupSeconds) * 1000 + 120_000) * (s.only.length || 6) * s.rounds + 60_000;
const code = await withCleanup((interrupted) => main(s, interrupted), { hardLimitMs }).catch((error) => {
  console.error(`bench: ${error instanceof UsageError ? error.message : (error.stack ?? error)}`);
  return error instanceof UsageError ? 2 : 1;
});
process.exit(code);
