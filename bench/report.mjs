// Turning measurements into the table, the ratios and the results file.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { summarize } from "./load.mjs";

const PEERS = ["supergateway", "mcp-proxy"];

/** The acceptance targets the ratios are reported against (printed next to them, not enforced). */
const TARGET_P50_OVER_FLOOR_MS = 0.5;
const TARGET_OVER_FASTER_PEER = 5;

function fixed(value, digits) {
  return Number.isFinite(value) ? value.toFixed(digits) : "—";
}

function renderTable(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(" | ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("-|-"), ...rows.map(line)].join("\n");
}

/** target | p50 ms | p99 ms | calls/s | errors | wrong — errors and wrong include the warm-up's. */
export function formatTable(results) {
  const rows = results.map((r) =>
    r.failed
      ? [r.label, "failed", "—", "—", "—", "—"]
      : [r.label, fixed(r.p50Ms, 2), fixed(r.p99Ms, 2), fixed(r.callsPerSec, 0), String(r.errors + r.warmup.errors), String(r.wrong + r.warmup.wrong)],
  );
  return renderTable(["target", "p50 ms", "p99 ms", "calls/s", "errors", "wrong"], rows);
}

/**
 * CPU time per correct call, from /proc, over the measured period: what each process costs
 * whatever the wall clock did. Steadier than calls/s on a shared machine, and the number to
 * watch when optimizing the hot path.
 */
export function formatCpuTable(results, client) {
  const rows = results
    .filter((r) => !r.failed)
    .map((r) => [r.label, fixed(r.bridgeCpuMsPerCall, 3), fixed(r.backendCpuMsPerCall, 3), fixed(r.clientCpuMsPerCall, 3)]);
  return `CPU ms per call (server process | its backend children | the bench's own ${client} client, in the bench process):\n${renderTable(["target", "server", "backends", "client"], rows)}`;
}

/** The comparisons, all from this one run; a ratio whose inputs are missing is left out. */
export function computeRatios(results) {
  const ok = (id) => results.find((r) => r.id === id && !r.failed);
  const ours = ok("ours");
  const floor = ok("floor");
  const peers = PEERS.map(ok).filter(Boolean);
  const fasterPeer = peers.sort((a, b) => b.callsPerSec - a.callsPerSec)[0];
  const ratios = {};
  if (ours && floor) {
    ratios.oursP50MinusFloorP50Ms = ours.p50Ms - floor.p50Ms;
    ratios.oursCallsPerSecPctOfFloor = (100 * ours.callsPerSec) / floor.callsPerSec;
  }
  if (ours && fasterPeer) {
    ratios.fasterPeer = fasterPeer.id;
    ratios.oursCallsPerSecOverFasterPeer = ours.callsPerSec / fasterPeer.callsPerSec;
    ratios.oursP50MinusFasterPeerP50Ms = ours.p50Ms - fasterPeer.p50Ms;
  }
  const shared = ok("ours-shared");
  const mcpProxy = ok("mcp-proxy");
  if (shared && mcpProxy) ratios.oursSharedCallsPerSecOverMcpProxy = shared.callsPerSec / mcpProxy.callsPerSec;
  return ratios;
}

export function formatRatios(ratios, results) {
  const label = (id) => results.find((r) => r.id === id)?.label ?? id;
  const lines = [];
  const verdict = (met) => (met ? "met" : "not met");
  if (ratios.oursP50MinusFloorP50Ms !== undefined) {
    const met = ratios.oursP50MinusFloorP50Ms <= TARGET_P50_OVER_FLOOR_MS;
    lines.push(`our p50 − floor p50:               ${fixed(ratios.oursP50MinusFloorP50Ms, 2)} ms (target ≤ ${TARGET_P50_OVER_FLOOR_MS} ms: ${verdict(met)})`);
  }
  if (ratios.oursCallsPerSecOverFasterPeer !== undefined) {
    const met = ratios.oursCallsPerSecOverFasterPeer >= TARGET_OVER_FASTER_PEER;
    lines.push(`our calls/s ÷ faster peer's calls/s: ${fixed(ratios.oursCallsPerSecOverFasterPeer, 2)}× (faster peer: ${label(ratios.fasterPeer)}; target ≥ ${TARGET_OVER_FASTER_PEER}×: ${verdict(met)})`);
    lines.push(`our p50 − faster peer's p50:         ${fixed(ratios.oursP50MinusFasterPeerP50Ms, 2)} ms`);
  }
  if (ratios.oursCallsPerSecPctOfFloor !== undefined) lines.push(`our calls/s as % of the floor's:     ${fixed(ratios.oursCallsPerSecPctOfFloor, 1)} %`);
  if (ratios.oursSharedCallsPerSecOverMcpProxy !== undefined) {
    lines.push(`ours shared ÷ mcp-proxy (npm) calls/s: ${fixed(ratios.oursSharedCallsPerSecOverMcpProxy, 2)}× (both: one backend child for all sessions)`);
  }
  return lines.length ? lines.join("\n") : "(ratios need the ours, floor and peer rows)";
}

/** A target is valid when it ran, answered every call (warm-up included) correctly, and completed calls. */
export function isValid(r) {
  return !r.failed && r.ok > 0 && r.errors === 0 && r.wrong === 0 && r.warmup.errors === 0 && r.warmup.wrong === 0;
}

export function writeResults(file, data) {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
}

/** One target's row for the table and the results file, from its rounds' measurements. */
export function resultOf(target, entry, ctx) {
  const base = { id: target.id, label: target.label, description: target.describe(), mode: entry.mode };
  if (entry.runs.length === 0) return { ...base, failed: entry.failures.join("\n") || "did not run" };
  const warmup = entry.warmups.reduce((a, w) => ({ calls: a.calls + w.calls, errors: a.errors + w.errors, wrong: a.wrong + w.wrong }), { calls: 0, errors: 0, wrong: 0 });
  const stats = summarize(entry.runs);
  const cpu = entry.runs.every((r) => r.serverCpu) ? entry.runs.reduce((a, r) => ({ bridgeMs: a.bridgeMs + r.serverCpu.bridgeMs, backendMs: a.backendMs + r.serverCpu.backendMs }), { bridgeMs: 0, backendMs: 0 }) : undefined;
  const perCall = cpu && stats.ok ? { bridgeCpuMsPerCall: cpu.bridgeMs / stats.ok, backendCpuMsPerCall: cpu.backendMs / stats.ok } : {};
  return { ...base, concurrency: ctx.sessions, ...stats, ...perCall, warmup, ...(entry.failures.length ? { failedRounds: entry.failures } : {}) };
}

/** What each row is, and the first errors and wrong answers, if any. */
export function formatNotes(results) {
  const lines = ["rows:"];
  for (const r of results) {
    lines.push(`- ${r.label}${r.mode ? ` [${r.mode}]` : ""}: ${r.description}`);
    if (r.failed) lines.push(`  FAILED: ${r.failed}`);
    for (const sample of r.errorSamples ?? []) lines.push(`  error: ${sample}`);
    for (const sample of r.wrongSamples ?? []) lines.push(`  wrong: sent ${sample.sent}, got ${sample.got}`);
  }
  return lines.join("\n");
}
