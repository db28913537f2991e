// Turning measurements into the table, the ratios and the results file.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { summarize } from "./load.mjs";

const PEERS = ["supergateway", "mcp-proxy"];

/** The acceptance targets the ratios are reported against (printed next to them, not enforced). */
const TARGET_P50_OVER_FLOOR_MS = 0.5;
/** Calls/s the enforcement pipeline may cost against the same proxy without it. */
const TARGET_ENFORCEMENT_LOSS_PCT = 10;
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

/**
 * The comparisons, all from this one run; a ratio whose inputs are missing is left out.
 * Proxies are compared like for like: npm mcp-proxy runs one backend child for all sessions, as
 * ours does with `session: "shared"`; supergateway (stateful) runs one per session, as ours
 * does by default (`per-client`). The acceptance targets are judged on the like-for-like pair
 * with the faster peer, and every other pairing is printed beside it.
 */
export function computeRatios(results) {
  const ok = (id) => results.find((r) => r.id === id && !r.failed);
  const floor = ok("floor");
  const fasterPeer = PEERS.map(ok).filter(Boolean).sort((a, b) => b.callsPerSec - a.callsPerSec)[0];
  const twinOf = { "mcp-proxy": "ours-shared", supergateway: "ours" };
  const pairs = [
    ["ours-shared", "mcp-proxy"],
    ["ours", "supergateway"],
    ["ours", "mcp-proxy"],
  ].flatMap(([mine, peer]) => (ok(mine) && ok(peer) ? [{ mine, peer, callsRatio: ok(mine).callsPerSec / ok(peer).callsPerSec }] : []));
  const overFloor = ["ours-shared", "ours"].flatMap((id) => (ok(id) && floor ? [{ id, p50OverFloorMs: ok(id).p50Ms - floor.p50Ms, pctOfFloor: (100 * ok(id).callsPerSec) / floor.callsPerSec }] : []));
  const headline = fasterPeer && ok(twinOf[fasterPeer.id]) ? { mine: twinOf[fasterPeer.id], peer: fasterPeer.id } : undefined;
  const enforcement = ok("ours-enforced") && ok("ours-bare") ? { ratio: ok("ours-enforced").callsPerSec / ok("ours-bare").callsPerSec } : undefined;
  const cached = ok("ours-cached") && ok("ours-shared") ? { callsRatio: ok("ours-cached").callsPerSec / ok("ours-shared").callsPerSec, p50SavedMs: ok("ours-shared").p50Ms - ok("ours-cached").p50Ms } : undefined;
  return { fasterPeer: fasterPeer?.id, headline, pairs, overFloor, enforcement, cached };
}

export function formatRatios(ratios, results) {
  const label = (id) => results.find((r) => r.id === id)?.label ?? id;
  const verdict = (met) => (met ? "met" : "not met");
  const lines = [];
  const { headline } = ratios;
  if (headline) {
    const pair = ratios.pairs.find((p) => p.mine === headline.mine && p.peer === headline.peer);
    const floor = ratios.overFloor.find((f) => f.id === headline.mine);
    lines.push(`acceptance, like for like with the faster peer (${label(headline.peer)} vs ${label(headline.mine)}):`);
    if (pair) lines.push(`  calls/s ratio:        ${fixed(pair.callsRatio, 2)}× (target ≥ ${TARGET_OVER_FASTER_PEER}×: ${verdict(pair.callsRatio >= TARGET_OVER_FASTER_PEER)})`);
    if (floor) lines.push(`  p50 over the floor:   ${fixed(floor.p50OverFloorMs, 2)} ms (target ≤ ${TARGET_P50_OVER_FLOOR_MS} ms: ${verdict(floor.p50OverFloorMs <= TARGET_P50_OVER_FLOOR_MS)})`);
  }
  lines.push("every pairing from this run:");
  for (const p of ratios.pairs) lines.push(`  ${label(p.mine)} ÷ ${label(p.peer)} calls/s: ${fixed(p.callsRatio, 2)}×`);
  for (const f of ratios.overFloor) lines.push(`  ${label(f.id)}: p50 − floor p50 ${fixed(f.p50OverFloorMs, 2)} ms, calls/s ${fixed(f.pctOfFloor, 1)} % of the floor's`);
  if (ratios.enforcement) {
    const lost = 100 * (1 - ratios.enforcement.ratio);
    lines.push(
      `  enforcement (20 policies, redaction, file audit) ÷ none (no audit either), shared: ${fixed(ratios.enforcement.ratio, 3)}× calls/s, ${fixed(lost, 1)} % fewer (target ≤ ${TARGET_ENFORCEMENT_LOSS_PCT} %: ${verdict(lost <= TARGET_ENFORCEMENT_LOSS_PCT)})`,
    );
  }
  if (ratios.cached) lines.push(`  cached ÷ uncached echo, shared: ${fixed(ratios.cached.callsRatio, 2)}× calls/s, p50 ${fixed(ratios.cached.p50SavedMs, 2)} ms lower`);
  return lines.join("\n");
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
