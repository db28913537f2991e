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
    return { pid: Number(pid), ppid: Number(fields[1]), start: fields[19] };
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
