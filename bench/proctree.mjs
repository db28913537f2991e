// Finding and killing a process's whole tree. Bridges start their backends in process groups
// of their own (supergateway does), so killing one group is not enough: we walk /proc for
// descendants and remember each one's start time, so a recycled pid is never signalled.
import { readdirSync, readFileSync } from "node:fs";

/** { pid, ppid, start } of one process, or undefined when it is gone (or there is no /proc). */
function readStat(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name may hold spaces and parentheses; the fields after the last ")" do not.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // utime and stime (fields 14 and 15) are in clock ticks, 100 per second on Linux.
    return { pid: Number(pid), ppid: Number(fields[1]), start: fields[19], cpuMs: (Number(fields[11]) + Number(fields[12])) * 10 };
  } catch {
    return undefined;
  }
}

function allProcesses() {
  let names;
  try {
    names = readdirSync("/proc");
  } catch {
    return []; // not Linux: callers still kill the process group
  }
  return names.filter((n) => /^\d+$/.test(n)).map(readStat).filter(Boolean);
}

/** The processes under `rootPid` (not itself), parents before children. */
export function descendants(rootPid) {
  const byParent = new Map();
  for (const p of allProcesses()) {
    if (!byParent.has(p.ppid)) byParent.set(p.ppid, []);
    byParent.get(p.ppid).push(p);
  }
  const found = [];
  const queue = [rootPid];
  for (let i = 0; i < queue.length && found.length < 10_000; i++) {
    for (const child of byParent.get(queue[i]) ?? []) {
      found.push(child);
      queue.push(child.pid);
    }
  }
  return found;
}

/** Sends `signal` to each remembered process that is still the same process. */
export function signalSnapshot(snapshot, signal) {
  for (const p of snapshot) {
    if (readStat(p.pid)?.start !== p.start) continue;
    try {
      process.kill(p.pid, signal);
    } catch {
      // already gone
    }
  }
}

export function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === "EPERM";
  }
}

/**
 * CPU time used so far (ms, 10 ms resolution) by a process and, apart, by everything under it;
 * undefined without /proc.
 */
export function cpuTimes(pid) {
  const self = readStat(pid);
  if (!self) return undefined;
  return { selfMs: self.cpuMs, descendantsMs: descendants(pid).reduce((sum, p) => sum + p.cpuMs, 0) };
}
