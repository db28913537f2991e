// Starting server processes and making sure every one of them, and everything they start, is
// gone when the bench ends: normally, on an error, or on Ctrl-C.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { descendants, isAlive, signalSnapshot } from "./proctree.mjs";

const GUARD = fileURLToPath(new URL("./guard.mjs", import.meta.url));
const OUTPUT_TAIL = 64 * 1024;
const STOP_GRACE_MS = 5_000;

/** Every process started and not yet stopped. */
const running = new Set();

/**
 * Starts `node [nodeFlags] --import guard.mjs script args…` in a process group of its own,
 * with fd 3 as its lifeline (see guard.mjs). stdout and stderr are always drained (a full pipe
 * would stall the server) and their last 64 KiB kept for error messages.
 */
export function startNode(name, script, args, { nodeFlags = [], env = {}, cwd } = {}) {
  const child = spawn(process.execPath, [...nodeFlags, "--import", GUARD, script, ...args], {
    cwd,
    env: { ...process.env, ...env, BENCH_LIFELINE: "3" },
    stdio: ["ignore", "pipe", "pipe", "pipe"],
    detached: process.platform !== "win32",
  });
  let output = "";
  const watchers = new Set();
  const onData = (chunk) => {
    output = (output + chunk.toString("utf8")).slice(-OUTPUT_TAIL);
    for (const watch of watchers) watch();
  };
  child.stdout.on("data", onData);
  child.stderr.on("data", onData);
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  child.once("error", (error) => onData(`\n[spawn error] ${error.message}\n`));

  const managed = {
    name,
    pid: child.pid,
    output: () => output,
    /** Resolves with the first match of `pattern` in the output; rejects on exit or timeout. */
    waitFor(pattern, timeoutMs) {
      return new Promise((resolve, reject) => {
        const done = (fn, value) => {
          watchers.delete(check);
          clearTimeout(timer);
          fn(value);
        };
        const check = () => {
          const match = pattern.exec(output);
          if (match) done(resolve, match);
        };
        const timer = setTimeout(() => done(reject, new Error(`${name} did not print ${pattern} within ${timeoutMs} ms. Output:\n${output}`)), timeoutMs);
        watchers.add(check);
        void exited.then(({ code, signal }) => done(reject, new Error(`${name} exited (code ${code}, signal ${signal}) before printing ${pattern}. Output:\n${output}`)));
        check();
      });
    },
    stop: () => stopProcess(managed, child, exited),
  };
  running.add(managed);
  return managed;
}

/** SIGTERM (so a profiled process writes its profile), then SIGKILL for whatever is left of its tree. */
async function stopProcess(managed, child, exited) {
  if (!running.delete(managed)) return exited;
  const tree = descendants(child.pid);
  if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
  const timer = new Promise((resolve) => setTimeout(resolve, STOP_GRACE_MS).unref());
  await Promise.race([exited, timer]);
  if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  signalSnapshot(tree, "SIGKILL");
  try {
    process.kill(-child.pid, "SIGKILL"); // anything else left in its group
  } catch {
    // group already empty
  }
  child.stdio[3]?.destroy();
  return exited;
}

/**
 * Takes charge of a process someone else started (the SDK's stdio transport spawns its own
 * child): if it is still there when the bench stops, it and its tree are killed.
 */
export function adopt(name, pid) {
  const managed = {
    name,
    pid,
    stop: async () => {
      running.delete(managed);
      if (!isAlive(pid)) return;
      const tree = descendants(pid);
      process.kill(pid, "SIGKILL");
      signalSnapshot(tree, "SIGKILL");
    },
  };
  running.add(managed);
  return () => running.delete(managed);
}

/** Stops every process still running; safe to call more than once. */
export async function stopAll() {
  await Promise.all([...running].map((p) => p.stop()));
}

/**
 * Runs `main(signal)`, and on every way out (return, throw, Ctrl-C, SIGTERM, a hard time limit)
 * stops every process first; `signal` aborts when the run is being cut short. Returns main's result.
 */
export async function withCleanup(main, { hardLimitMs }) {
  let stopping;
  const interrupted = new AbortController(); // tells main not to report on a run cut short
  const bail = (code, why) => {
    if (stopping) return;
    interrupted.abort();
    process.stderr.write(`\nbench: ${why}; stopping every process it started…\n`);
    stopping = stopAll().finally(() => process.exit(code));
  };
  const onSignal = (signal) => bail(130, `got ${signal}`);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, onSignal);
  const hardLimit = setTimeout(() => bail(124, `took longer than the ${Math.round(hardLimitMs / 1000)} s limit`), hardLimitMs);
  hardLimit.unref();
  try {
    return await main(interrupted.signal);
  } finally {
    clearTimeout(hardLimit);
    await stopAll();
  }
}
