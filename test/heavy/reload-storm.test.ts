import { renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectClient, recorderBackend, type TestClient, textOf, waitFor } from "../support/mcp-clients.js";
import { descendants } from "../support/process-tree.js";
import { type ProxyProcess, runProxyOnFile, writeConfig } from "../support/proxy-process.js";

// A reload storm (issue 13): four clients call without pause while the config changes twenty
// times, valid and invalid changes mixed, written in place or by write-then-rename. No call to
// an item no change touched may fail; after every change each client must list what the
// config now allows within 1 s (plus a new backend's start-up), a bad change must leave the
// last good surface serving, config_synchronized on GET /status and /metrics must follow each
// outcome (1 applied, 0 refused), and when it is over no backend process may be left behind.

interface State {
  readonly denySearch: boolean;
  readonly backends: readonly ("gone" | "edit" | "fresh")[];
  readonly editVersion: number;
}

type Step = { readonly kind: "valid"; readonly state: State; readonly rename: boolean } | { readonly kind: "invalid"; readonly text: (state: State) => string; readonly why: string };

const CLIENTS = 4;
const SURFACE_MS = 1000;
const STARTUP_MS = 10_000;

let file: string;
let proxy: ProxyProcess;
let pid: number;
const clients: TestClient[] = [];
const failures: string[] = [];
let calls = 0;
let running = true;
const loops: Promise<void>[] = [];

function configOf(state: State): Record<string, unknown> {
  const backends: Record<string, unknown> = {
    hub: recorderBackend("hub", { session: "shared" }),
    own: recorderBackend("own"),
  };
  for (const name of state.backends) backends[name] = recorderBackend(name, { session: "shared", ...(name === "edit" ? { env: { EDIT_VERSION: String(state.editVersion) } } : {}) });
  return {
    version: 1,
    backends,
    bindings: [{ transport: "http", port: 0 }],
    limits: { initializeWaitMs: 30_000 },
    reload: { debounceMs: 50, drainMs: 2000 },
    audit: { enabled: false },
    ...(state.denySearch ? { policies: { default: "allow", rules: [{ name: "no-search", effect: "deny", match: { names: ["hub__search"] } }] } } : {}),
  };
}

function expectedTools(state: State): { present: string[]; absent: string[] } {
  const all = ["gone", "edit", "fresh"] as const;
  return {
    present: ["hub__whoami", "own__whoami", ...(state.denySearch ? [] : ["hub__search"]), ...state.backends.map((b) => `${b}__whoami`)],
    absent: [...(state.denySearch ? ["hub__search"] : []), ...all.filter((b) => !state.backends.includes(b)).map((b) => `${b}__whoami`)],
  };
}

const S0: State = { denySearch: false, backends: ["gone", "edit"], editVersion: 0 };
const broken = (why: string, text: (state: State) => string): Step => ({ kind: "invalid", why, text });
const valid = (state: State, rename = true): Step => ({ kind: "valid", state, rename });

/** Twenty changes, each from the state before it. */
function steps(): Step[] {
  const s1 = { ...S0, denySearch: true };
  const s2 = { ...s1, backends: ["gone", "edit", "fresh"] as State["backends"] };
  const s3 = { ...s2, editVersion: 1 };
  const s4 = { ...s3, backends: ["edit", "fresh"] as State["backends"] };
  const s5 = { ...s4, denySearch: false };
  const s6 = { ...s5, backends: ["gone", "edit", "fresh"] as State["backends"], editVersion: 2 };
  const s7 = { ...s6, backends: ["gone"] as State["backends"] };
  const s8 = { ...s7, denySearch: true, backends: ["gone", "edit"] as State["backends"], editVersion: 3 };
  return [
    valid(s1),
    broken("JSON syntax", (s) => JSON.stringify(configOf(s)).slice(0, -5)),
    valid(s2, false),
    broken("a backend without a command", (s) => JSON.stringify({ ...configOf(s), backends: { ...(configOf(s).backends as object), bad: { transport: "stdio" } } })),
    valid(s3),
    broken("an unreadable secret file", (s) => JSON.stringify({ ...configOf(s), backends: { ...(configOf(s).backends as object), hub: recorderBackend("hub", { session: "shared", env: { HUB_TOKEN: { file: "no-such-secret" } } }) } })),
    valid(s4),
    valid(s5, false),
    broken("an unknown key", (s) => JSON.stringify({ ...configOf(s), surprise: true })),
    valid(s6),
    broken("an empty file", () => ""),
    valid(s7),
    valid(s8, false),
    broken("a policy rule without an effect", (s) => JSON.stringify({ ...configOf(s), policies: { default: "allow", rules: [{ name: "broken" }] } })),
    valid(S0),
    valid(s1),
    broken("a negative port", (s) => JSON.stringify({ ...configOf(s), bindings: [{ transport: "http", port: -1 }] })),
    valid(s2),
    valid(s4, false),
    valid(S0),
  ];
}

function write(text: string, rename: boolean): void {
  if (!rename) return writeFileSync(file, text);
  const tmp = join(dirname(file), `.next-${Date.now()}.json`);
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

interface Synchronization {
  readonly attempts: number;
  readonly synchronized: number;
  readonly metric: number;
  readonly last: { readonly ok: boolean; readonly at: string };
}

/** What an operator sees: GET /status (JSON) and mcp_proxy_config_synchronized on /metrics. */
async function synchronization(): Promise<Synchronization> {
  const origin = new URL(proxy.url!).origin;
  const status = (await (await fetch(`${origin}/status`, { signal: AbortSignal.timeout(10_000) })).json()) as {
    configSynchronized: number;
    reloads: { ok: number; failed: number };
    lastReload: { ok: boolean; at: string };
  };
  const metrics = await (await fetch(`${origin}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
  return {
    attempts: status.reloads.ok + status.reloads.failed,
    synchronized: status.configSynchronized,
    metric: Number(/^mcp_proxy_config_synchronized (\S+)$/m.exec(metrics)?.[1]),
    last: status.lastReload,
  };
}

async function surfaceMatches(c: TestClient, state: State): Promise<boolean> {
  const names = new Set((await c.client.listTools()).tools.map((t) => t.name));
  const { present, absent } = expectedTools(state);
  return present.every((n) => names.has(n)) && absent.every((n) => !names.has(n));
}

/** Calls what no change touches, without pause, counting every failure. */
async function callLoop(c: TestClient, n: number): Promise<void> {
  while (running) {
    for (const tool of ["hub__whoami", "own__whoami"]) {
      try {
        const text = textOf(await c.client.callTool({ name: tool, arguments: {} }));
        calls += 1;
        if (text !== tool.split("__")[0]) failures.push(`client ${n} ${tool}: ${text}`);
      } catch (error) {
        failures.push(`client ${n} ${tool}: ${(error as Error).message}`);
      }
    }
  }
}

beforeAll(async () => {
  file = writeConfig(configOf(S0));
  proxy = await runProxyOnFile(file);
  pid = proxy.child.pid!;
  for (let i = 0; i < CLIENTS; i++) clients.push(await connectClient("http", { url: proxy.url }, { name: `storm-${i}` }));
  clients.forEach((c, i) => loops.push(callLoop(c, i)));
}, 60_000);

afterAll(async () => {
  running = false;
  await Promise.allSettled(loops);
  await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
  expect(await proxy?.stop()).toBe(0);
  expect(await waitFor(() => descendants(pid).length === 0, 5000)).toBe(true);
});

describe("a reload storm under load", () => {
  it("applies each valid change within a second, keeps the last good config on each bad one, fails no untouched call", async () => {
    let state = S0;
    let seen = (await synchronization()).attempts;
    const slow: string[] = [];
    for (const [i, step] of steps().entries()) {
      const written = Date.now();
      if (step.kind === "valid") write(JSON.stringify(configOf(step.state)), step.rename);
      else write(step.text(state), true);
      // config_synchronized follows, on /status and /metrics alike: 1 after a valid change, 0 after a bad one.
      const label = `step ${i} (${step.kind === "invalid" ? step.why : "valid"})`;
      let sync = await synchronization();
      expect(await waitFor(async () => (sync = await synchronization()).attempts > seen, 10_000, 25), `${label}: no reload outcome on /status`).toBe(true);
      seen = sync.attempts;
      const expected = step.kind === "valid" ? 1 : 0;
      expect({ synchronized: sync.synchronized, metric: sync.metric, ok: sync.last.ok }, label).toEqual({ synchronized: expected, metric: expected, ok: step.kind === "valid" });
      if (step.kind === "valid") {
        const adds = step.state.backends.some((b) => !state.backends.includes(b) || (b === "edit" && step.state.editVersion !== state.editVersion));
        state = step.state;
        const bound = SURFACE_MS + (adds ? STARTUP_MS : 0);
        const ok = await waitFor(async () => (await Promise.all(clients.map((c) => surfaceMatches(c, state)))).every(Boolean), bound + 500, 25);
        expect(ok, `step ${i}: clients did not see the new surface`).toBe(true);
        // "Within 1 s of the reload": counted from the moment the gateway logged it applied.
        const reloadedAt = Date.parse(sync.last.at);
        if (!adds && Date.now() - reloadedAt > SURFACE_MS) slow.push(`step ${i}: ${Date.now() - reloadedAt} ms after the reload, ${Date.now() - written} ms after the write`);
      } else {
        // Nothing changed: every client still sees the last good surface.
        for (const c of clients) expect(await surfaceMatches(c, state), `step ${i}: surface changed on a bad config`).toBe(true);
      }
    }
    expect(slow, "changes seen later than 1 s after the reload").toEqual([]);
    expect(failures).toEqual([]);
    expect(calls).toBeGreaterThan(100);
    // Every list change reached every client as a notification.
    for (const c of clients) expect(c.notifications).toContain("notifications/tools/list_changed");
  });
});
