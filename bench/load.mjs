// The load generator and its statistics. A "worker" is an async function that sends one
// tools/call with the given message and returns the text that came back. Workers run
// concurrently, each with exactly one call in flight, so N workers = N concurrent calls.
//
// Every answer is checked: it must be exactly `Echo: <message>`, and every message is unique,
// so an answer to the wrong call, an empty answer or a cached one counts as wrong. Errors
// (thrown, rejected, timed out) and wrong answers are counted apart from correct calls, and
// only correct calls count towards latency and throughput, so nothing that fails fast can
// look fast.

const MAX_CALLS_PER_WORKER = 10_000_000; // a bound besides time, should a call ever return synchronously
const SAMPLES_KEPT = 5;

function expectedText(message) {
  return `Echo: ${message}`;
}

/**
 * One worker's loop: calls until `deadline` (performance.now() ms) has passed and at least
 * `minCalls` were made, or until `maxCalls`, whichever comes first.
 */
async function drive(worker, prefix, { deadline, minCalls = 0, maxCalls }, tally) {
  for (let seq = 0; seq < maxCalls && (seq < minCalls || performance.now() < deadline); seq++) {
    const message = `${prefix}-${seq}`;
    const started = performance.now();
    let text;
    try {
      text = await worker(message);
    } catch (error) {
      tally.errors++;
      if (tally.errorSamples.length < SAMPLES_KEPT) tally.errorSamples.push(String(error?.message ?? error).slice(0, 300));
      await new Promise((resolve) => setImmediate(resolve)); // a failing call must not starve the event loop
      continue;
    }
    const elapsed = performance.now() - started;
    if (text === expectedText(message)) {
      tally.latencies.push(elapsed);
    } else {
      tally.wrong++;
      if (tally.wrongSamples.length < SAMPLES_KEPT) tally.wrongSamples.push({ sent: message, got: String(text).slice(0, 200) });
    }
  }
}

function newTally() {
  return { latencies: [], errors: 0, wrong: 0, errorSamples: [], wrongSamples: [] };
}

let runNonce = 0;

/**
 * At least `minCalls` calls (spread over the workers) and at least `minMs` of calling, checked
 * like the measured ones but not timed. Every server process is new, so this is where its JIT
 * gets warm: too short a warm-up measures the compiler, not the code.
 */
export async function warmUp(workers, { minCalls, minMs }) {
  const tally = newTally();
  const limits = { deadline: performance.now() + minMs, minCalls: Math.ceil(minCalls / workers.length), maxCalls: MAX_CALLS_PER_WORKER };
  const nonce = `warm${++runNonce}`;
  await Promise.all(workers.map((w, i) => drive(w, `${nonce}-w${i}`, limits, tally)));
  return { calls: tally.latencies.length + tally.errors + tally.wrong, errors: tally.errors, wrong: tally.wrong, errorSamples: tally.errorSamples, wrongSamples: tally.wrongSamples };
}

/**
 * Runs every worker for `durationMs`. Calls in flight at the deadline are allowed to finish
 * (each is bounded by the client's request timeout) and the clock stops when the last one has.
 */
export async function measure(workers, durationMs) {
  const tally = newTally();
  const nonce = `run${++runNonce}`;
  const cpuBefore = process.cpuUsage();
  const windowStartUs = Number(process.hrtime.bigint() / 1000n); // CLOCK_MONOTONIC, like V8's profile timestamps
  const started = performance.now();
  const limits = { deadline: started + durationMs, maxCalls: MAX_CALLS_PER_WORKER };
  await Promise.all(workers.map((w, i) => drive(w, `${nonce}-w${i}`, limits, tally)));
  const elapsedMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const windowUs = [windowStartUs, Number(process.hrtime.bigint() / 1000n)];
  return { ...tally, elapsedMs, clientCpuMs: (cpu.user + cpu.system) / 1000, windowUs };
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length) - 1; // nearest rank
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))];
}

/** Statistics over one or more `measure` results (several rounds of one target). */
export function summarize(runs) {
  const all = Float64Array.from(runs.flatMap((r) => r.latencies)).sort();
  const elapsedMs = runs.reduce((s, r) => s + r.elapsedMs, 0);
  const ok = all.length;
  const sum = all.reduce((s, v) => s + v, 0);
  return {
    ok,
    errors: runs.reduce((s, r) => s + r.errors, 0),
    wrong: runs.reduce((s, r) => s + r.wrong, 0),
    p50Ms: percentile(all, 50),
    p99Ms: percentile(all, 99),
    meanMs: ok ? sum / ok : NaN,
    maxMs: ok ? all[ok - 1] : NaN,
    callsPerSec: elapsedMs > 0 ? ok / (elapsedMs / 1000) : 0,
    elapsedMs,
    clientCpuMsPerCall: ok ? runs.reduce((s, r) => s + r.clientCpuMs, 0) / ok : NaN,
    errorSamples: runs.flatMap((r) => r.errorSamples).slice(0, SAMPLES_KEPT),
    wrongSamples: runs.flatMap((r) => r.wrongSamples).slice(0, SAMPLES_KEPT),
  };
}
