// Summarizes a V8 .cpuprofile (written by `node --cpu-prof`): where the process spent its
// own (self) time, by function and by origin (a package, Node internals, our dist/, GC).
// Usable alone too: `node bench/profile.mjs FILE.cpuprofile [TOP]`.
import { readdirSync, readFileSync } from "node:fs";
import { join, sep } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Native socket and pipe writes. V8 samples the main thread on a wall clock, so a write that
 * wakes the reading process (a backend child, the client) and is then preempted by it counts
 * its time off the CPU as self time here. On a machine with few, busy cores that is most of it.
 */
const NATIVE_WRITES = /^(writeUtf8String|writeLatin1String|writeUcs2String|writeBuffer|writev|writeString)( |$)/;

/**
 * Self time in ms per profile node id, from the samples and their time deltas; only samples
 * inside one of `windows` ([startUs, endUs] on the monotonic clock) when windows are given.
 */
function selfTimes(profile, windows) {
  const self = new Map();
  const { samples = [], timeDeltas = [] } = profile;
  const inside = (t) => !windows?.length || windows.some(([from, to]) => t >= from && t <= to);
  let t = profile.startTime;
  for (let i = 0; i < samples.length; i++) {
    t += timeDeltas[i] ?? 0; // the time of sample i; it stands for the interval up to the next one
    if (!inside(t)) continue;
    const delta = (timeDeltas[i + 1] ?? 0) / 1000;
    self.set(samples[i], (self.get(samples[i]) ?? 0) + delta);
  }
  return self;
}

/** Where code comes from: `pkg` for node_modules/pkg, `node:…` internals, `ours: dist/…`, or a V8 pseudo-frame. */
export function originOf(url, functionName) {
  if (!url) return functionName.startsWith("(") ? functionName : "(native)";
  const path = url.startsWith("file://") ? fileURLToPath(url) : url;
  if (path.startsWith("node:")) return `node:${path.slice(5).split("/").slice(0, 2).join("/")}`;
  const nm = path.lastIndexOf(`${sep}node_modules${sep}`);
  if (nm >= 0) {
    const parts = path.slice(nm + 14).split(sep);
    return parts[0].startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  const dist = path.lastIndexOf(`${sep}dist${sep}`);
  if (dist >= 0) return `ours: dist/${path.slice(dist + 6).split(sep)[0]}`;
  return path.split(sep).slice(-2).join("/");
}

function shortLocation(url, line) {
  if (!url) return "";
  const path = url.startsWith("file://") ? fileURLToPath(url) : url;
  const nm = path.lastIndexOf(`${sep}node_modules${sep}`);
  const short = nm >= 0 ? path.slice(nm + 14) : path.includes(`${sep}dist${sep}`) ? path.slice(path.lastIndexOf(`${sep}dist${sep}`) + 1) : path;
  return `${short}:${line + 1}`;
}

/** `windows`: only the measured periods (start-up, session set-up and warm-up left out). */
export function summarizeProfile(file, { top = 25, windows } = {}) {
  const profile = JSON.parse(readFileSync(file, "utf8"));
  const self = selfTimes(profile, windows);
  const parentOf = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node);
  const jsCaller = (node) => {
    for (let n = parentOf.get(node.id), depth = 0; n && depth < 200; n = parentOf.get(n.id), depth++) {
      if (n.callFrame.url && !n.callFrame.url.startsWith("node:")) return `${n.callFrame.functionName || "(anonymous)"} ${shortLocation(n.callFrame.url, n.callFrame.lineNumber)}`;
    }
    return "(no JS caller)";
  };
  const byFunction = new Map();
  const byOrigin = new Map();
  const nativeByCaller = new Map();
  let total = 0;
  let idle = 0;
  for (const node of profile.nodes) {
    const ms = self.get(node.id) ?? 0;
    if (!ms) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const name = functionName || "(anonymous)";
    if (name === "(idle)") {
      idle += ms;
      continue;
    }
    total += ms;
    const key = `${name} ${shortLocation(url, lineNumber)}`.trim();
    byFunction.set(key, (byFunction.get(key) ?? 0) + ms);
    const origin = originOf(url, name);
    byOrigin.set(origin, (byOrigin.get(origin) ?? 0) + ms);
    if (!url && !name.startsWith("(")) {
      const via = `${name} ← ${jsCaller(node)}`;
      nativeByCaller.set(via, (nativeByCaller.get(via) ?? 0) + ms);
    }
  }
  const rank = (map, n) => [...map].sort((a, b) => b[1] - a[1]).slice(0, n).map(([what, ms]) => ({ what, ms: Math.round(ms), pct: (100 * ms) / total }));
  const window = windows?.length ? "measured period only" : "whole process life";
  const writesMs = [...byFunction].filter(([key]) => NATIVE_WRITES.test(key)).reduce((sum, [, ms]) => sum + ms, 0);
  return { file, window, writesMs: Math.round(writesMs), busyMs: Math.round(total), idleMs: Math.round(idle), topFunctions: rank(byFunction, top), topOrigins: rank(byOrigin, 15), nativeByCaller: rank(nativeByCaller, 10) };
}

export function formatProfile(summary) {
  const row = ({ what, ms, pct }) => `${pct.toFixed(1).padStart(5)} % ${String(ms).padStart(7)} ms  ${what}`;
  return [
    `profile ${summary.file}`,
    `${summary.window}: busy ${summary.busyMs} ms, idle ${summary.idleMs} ms (percentages are of busy time, self time only)`,
    `native socket/pipe writes: ${summary.writesMs} ms of the busy time. Samples are wall-clock: a write that wakes its reader and is preempted by it counts that wait here, so on few busy cores this is mostly time off the CPU (compare the /proc CPU table).`,
    "by origin:",
    ...summary.topOrigins.map(row),
    "top functions:",
    ...summary.topFunctions.map(row),
    "native (C++) functions by the nearest package/dist function above them:",
    ...summary.nativeByCaller.map(row),
  ].join("\n");
}

/** The .cpuprofile files in a folder, newest first. */
export function profilesIn(dir) {
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith(".cpuprofile"))
      .sort()
      .reverse()
      .map((f) => join(dir, f));
  } catch {
    return [];
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [file, top] = process.argv.slice(2);
  if (!file) {
    process.stderr.write("usage: node bench/profile.mjs FILE.cpuprofile [TOP]\n");
    process.exit(2);
  }
  process.stdout.write(`${formatProfile(summarizeProfile(file, { top: Number(top) || 25 }))}\n`);
}
