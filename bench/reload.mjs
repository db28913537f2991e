// Reload time: from the config file written to the new pipeline serving, with many sessions
// connected to one shared backend. Run by run.mjs after the call table (`--only reload` runs it
// alone), or by itself: `node bench/reload.mjs`.
//
// Each reload changes one tool's description (a route override): nothing restarts, so what is
// measured is the gateway's own work (watch, debounce, load, validate, resolve, compile, the
// swap, and the new lists of every session), not a backend's start-up. A probe session asks
// tools/list every 2 ms and stops the clock when the new description is served.
import { renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { openLeanSessions } from "./http-client.mjs";
import { startNode } from "./processes.mjs";
import { EVERYTHING, ROOT_DIR } from "./targets.mjs";

const OUR_BIN = join(ROOT_DIR, "bin", "mcp-proxy.js");
const DEBOUNCE_MS = 10;
const PROBE_EVERY_MS = 2;
const RELOAD_TIMEOUT_MS = 10_000;

function configWith(description) {
  return {
    version: 1,
    backends: { everything: { transport: "stdio", command: process.execPath, args: [EVERYTHING, "stdio"], session: "shared" } },
    bindings: [{ transport: "http", port: 0 }],
    routes: [{ backend: "everything", kind: "tool", name: "echo", description }],
    reload: { debounceMs: DEBOUNCE_MS },
    // The lean sessions open at once and then sit idle between their calls: neither may be refused nor reclaimed.
    limits: { maxUninitializedSessions: 1000, clientSessionIdleMs: 0 },
    audit: { enabled: false },
    logging: { level: "warn" },
  };
}

/** A minimal Streamable HTTP session (fetch) that can list tools. */
async function probeSession(url) {
  const headers = { "content-type": "application/json", accept: "application/json, text/event-stream" };
  const post = (body, extra = {}) => fetch(url, { method: "POST", headers: { ...headers, ...extra }, body: JSON.stringify(body) });
  const init = await post({ jsonrpc: "2.0", id: 0, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "reload-probe", version: "1" } } });
  const session = init.headers.get("mcp-session-id");
  await init.text();
  if (!session) throw new Error(`probe: initialize answered ${init.status} without a session id`);
  const withSession = { "mcp-session-id": session, "mcp-protocol-version": "2025-11-25" };
  await (await post({ jsonrpc: "2.0", method: "notifications/initialized" }, withSession)).text();
  let id = 1;
  return {
    async echoDescription() {
      const res = await post({ jsonrpc: "2.0", id: id++, method: "tools/list" }, withSession);
      const text = await res.text();
      const json = JSON.parse(text.startsWith("{") ? text : text.split("\n").find((l) => l.startsWith("data:")).slice(5));
      return json.result.tools.find((t) => t.name === "everything__echo")?.description;
    },
    close: () => fetch(url, { method: "DELETE", headers: withSession }).catch(() => undefined),
  };
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/**
 * Starts the gateway, connects `sessions` lean sessions (each lists once, as clients do) and a
 * probe, then performs `reloads` reloads by write-then-rename. Returns the timings in ms.
 */
export async function measureReload({ workDir, sessions = 100, reloads = 10, startupTimeoutMs = 60_000, callTimeoutMs = 10_000 }) {
  const file = join(workDir, "reload.config.json");
  writeFileSync(file, JSON.stringify(configWith("v0")));
  const proc = startNode("mcp-portcullis (reload)", OUR_BIN, ["start", "--config", file], { cwd: workDir });
  let lean;
  let probe;
  try {
    const url = (await proc.waitFor(/serving Streamable HTTP at (\S+)/, startupTimeoutMs))[1];
    lean = await openLeanSessions(url, "everything__echo", { sessions, callTimeoutMs, startupTimeoutMs });
    probe = await probeSession(url);
    const times = [];
    for (let i = 1; i <= reloads; i++) {
      const want = `v${i}`;
      writeFileSync(`${file}.tmp`, JSON.stringify(configWith(want)));
      const written = performance.now();
      renameSync(`${file}.tmp`, file);
      for (;;) {
        if ((await probe.echoDescription()) === want) break;
        if (performance.now() - written > RELOAD_TIMEOUT_MS) throw new Error(`reload ${i} was not served within ${RELOAD_TIMEOUT_MS} ms. Output:\n${proc.output()}`);
        await new Promise((resolve) => setTimeout(resolve, PROBE_EVERY_MS));
      }
      times.push(performance.now() - written);
      // Let the previous reload's notifications settle before the next write.
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // Every session still works on the last pipeline.
    const answers = await Promise.allSettled(lean.workers.map((worker, n) => worker(`after reloads ${n}`)));
    const failedCalls = answers.filter((a) => a.status === "rejected").length;
    const sorted = [...times].sort((a, b) => a - b);
    return { sessions, reloads, debounceMs: DEBOUNCE_MS, p50: percentile(sorted, 50), max: sorted[sorted.length - 1], times, failedCalls };
  } finally {
    await probe?.close();
    await lean?.close();
    await proc.stop();
  }
}

/** One line for the report. */
export function formatReload(r) {
  const ms = (x) => x.toFixed(1);
  return (
    `reload (file written → new pipeline serving), ${r.sessions} sessions on one shared backend, ${r.reloads} reloads, debounce ${r.debounceMs} ms: ` +
    `p50 ${ms(r.p50)} ms, max ${ms(r.max)} ms${r.failedCalls ? `; ${r.failedCalls} calls FAILED after the reloads` : "; every session's call answered after them"}`
  );
}
