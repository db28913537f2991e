// What the bench measures. Each target starts its server(s) and opens its client session(s);
// `start` returns the workers the load generator drives (one per concurrent caller), a
// `close` that ends the sessions and stops the processes, and the pid of the server process
// (`pid`; its children are the backends) or of the backend itself (`backendPid`), whose CPU
// time the bench reads from /proc.
//
// Two clients (run.mjs --client): by default every HTTP target is driven by the lean node:http
// client of http-client.mjs, which costs the bench process ~0.1 ms of CPU per call at the
// floor's pace (up to ~0.3 against slow targets: fewer answers per wake-up), so the servers set
// the pace. `--client sdk` drives them with the MCP TypeScript SDK v1 (`@modelcontextprotocol/sdk`,
// the repo root's devDependency) instead: `Client.callTool` over its StreamableHTTPClientTransport,
// what real clients run, at ~0.6 ms of client CPU per call. The stdio-direct row always uses the
// SDK's StdioClientTransport (no HTTP to be lean about).
import { accessSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { openLeanSessions } from "./http-client.mjs";
import { adopt, startNode } from "./processes.mjs";

export const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
export const ROOT_DIR = dirname(BENCH_DIR);
const requireRoot = createRequire(join(ROOT_DIR, "package.json"));
const requireBench = createRequire(join(BENCH_DIR, "package.json"));

/** A package's folder as `require` from that package.json would find it. */
export function packageDir(require, name) {
  for (const base of require.resolve.paths(name) ?? []) {
    try {
      accessSync(join(base, name, "package.json"));
      return join(base, name);
    } catch {
      // not in this node_modules
    }
  }
  throw new Error(`cannot find package ${name}`);
}

export function packageJson(require, name) {
  return JSON.parse(readFileSync(join(packageDir(require, name), "package.json"), "utf8"));
}

function binOf(require, name, bin = name) {
  const pkg = packageJson(require, name);
  const rel = typeof pkg.bin === "string" ? pkg.bin : pkg.bin[bin];
  return join(packageDir(require, name), rel);
}

export const EVERYTHING = join(packageDir(requireRoot, "@modelcontextprotocol/server-everything"), packageJson(requireRoot, "@modelcontextprotocol/server-everything").bin["mcp-server-everything"]);
const OUR_BIN = join(ROOT_DIR, "bin", "mcp-proxy.js");
const ECHO = "echo";

function sdk() {
  return {
    ...requireRoot("@modelcontextprotocol/sdk/client/index.js"),
    ...requireRoot("@modelcontextprotocol/sdk/client/streamableHttp.js"),
    ...requireRoot("@modelcontextprotocol/sdk/client/stdio.js"),
  };
}

function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** One tools/call; the text of its first content item. Tool-level errors count as errors. */
async function callEcho(client, toolName, message, timeoutMs) {
  const result = await client.callTool({ name: toolName, arguments: { message } }, undefined, { timeout: timeoutMs });
  const text = result.content?.[0]?.text;
  if (result.isError) throw new Error(`tool error: ${text}`);
  return text;
}

async function checkToolListed(client, toolName) {
  const { tools } = await client.listTools();
  if (!tools.some((t) => t.name === toolName)) throw new Error(`tool ${toolName} is not listed (got ${tools.map((t) => t.name).join(", ")})`);
}

/** `ctx.sessions` independent SDK client sessions to one Streamable HTTP endpoint, one worker each. */
async function openSdkSessions(url, toolName, ctx) {
  const { Client, StreamableHTTPClientTransport } = sdk();
  const sessions = [];
  const close = async () => {
    await Promise.all(
      sessions.map(async ({ client, transport }) => {
        await withTimeout(transport.terminateSession(), 2000, "DELETE session").catch(() => undefined);
        await client.close().catch(() => undefined);
      }),
    );
  };
  try {
    await Promise.all(
      Array.from({ length: ctx.sessions }, async () => {
        const client = new Client({ name: "mcp-portcullis-bench", version: "0" });
        const transport = new StreamableHTTPClientTransport(new URL(url));
        await withTimeout(client.connect(transport, { timeout: ctx.startupTimeoutMs }), ctx.startupTimeoutMs, `initialize at ${url}`);
        sessions.push({ client, transport });
        await checkToolListed(client, toolName); // clients list before they call; and a wrong name fails here, loudly
      }),
    );
  } catch (error) {
    await close();
    throw error;
  }
  const workers = sessions.map(({ client }) => (message) => callEcho(client, toolName, message, ctx.callTimeoutMs));
  return { workers, close };
}

/** Starts a server process, opens the HTTP sessions; closes both on failure. */
async function serveOverHttp(proc, findUrl, toolName, ctx) {
  try {
    const url = await findUrl();
    const sessions = await (ctx.client === "sdk" ? openSdkSessions : openLeanSessions)(url, toolName, ctx);
    return {
      url,
      pid: proc.pid,
      workers: sessions.workers,
      connections: sessions.connections,
      close: async () => {
        await sessions.close();
        await proc.stop();
      },
    };
  } catch (error) {
    await proc.stop();
    throw error;
  }
}

const guardPort = (proc, ctx) => async () => `http://127.0.0.1:${(await proc.waitFor(/bench-guard: listening on \S+ (\d+)/, ctx.startupTimeoutMs))[1]}/mcp`;

function shellQuote(s) {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Our proxy, `mcp-proxy start` from dist/, with one everything backend in the given session mode. */
function oursTarget({ id, label, session, about, extra = () => ({}), repeatCalls = false }) {
  return {
    id,
    label,
    describe: () => `Our proxy, \`mcp-proxy start\` from dist/, ${about}`,
    async start(ctx) {
      const config = {
        version: 1,
        backends: { everything: { transport: "stdio", command: process.execPath, args: [EVERYTHING, "stdio"], ...(session === "per-client" ? {} : { session }) } },
        bindings: [{ transport: "http", port: 0 }],
        ...extra(ctx),
      };
      const file = join(ctx.workDir, `${id}.config.json`);
      writeFileSync(file, JSON.stringify(config, null, 2));
      const proc = startNode(label, OUR_BIN, ["start", "--config", file], { nodeFlags: ctx.nodeFlags(id), cwd: ctx.workDir });
      const found = await serveOverHttp(proc, async () => (await proc.waitFor(/serving Streamable HTTP at (\S+)/, ctx.startupTimeoutMs))[1], "everything__echo", ctx);
      const children = session === "shared" ? "1 shared everything child" : `${ctx.sessions} everything children`;
      const workers = repeatCalls ? found.workers.map(repeatingWorker) : found.workers;
      const detail = id === "ours-enforced" ? ", 20 policies, 1 redaction, file audit" : repeatCalls ? ", echo cached (each session repeats one call)" : "";
      return { ...found, workers, mode: `${ctx.sessions} sessions, ${session}: ${children}${detail}` };
    },
  };
}

/**
 * A worker that sends the same call every time, so a cache can answer it: the load generator
 * gives every call a unique message (a cached answer would count as wrong), so the answer to
 * the repeated message is checked and then reported as the answer to the one asked for.
 */
function repeatingWorker(worker, index) {
  const repeated = `cached-${index}`;
  return async (message) => {
    const text = await worker(repeated);
    return text === `Echo: ${repeated}` ? `Echo: ${message}` : text;
  };
}

export const TARGETS = [
  {
    id: "stdio",
    label: "everything, stdio direct",
    describe: () =>
      "The backend's own limit, no HTTP and no proxy: one everything child on one stdio pipe, with the same number of calls in " +
      "flight, sent by concurrent tasks on that one connection. A stdio server serves exactly one client, so there are no " +
      "'sessions' to open; sixteen children would measure sixteen servers side by side, not the cost of one call.",
    async start(ctx) {
      const { Client, StdioClientTransport } = sdk();
      const transport = new StdioClientTransport({ command: process.execPath, args: [EVERYTHING, "stdio"], stderr: "pipe" });
      let stderr = "";
      transport.stderr?.on("data", (chunk) => (stderr = (stderr + chunk).slice(-16_384)));
      const client = new Client({ name: "mcp-portcullis-bench", version: "0" });
      let release = () => undefined;
      const close = async () => {
        await client.close().catch(() => undefined);
        release();
      };
      try {
        await withTimeout(client.connect(transport, { timeout: ctx.startupTimeoutMs }), ctx.startupTimeoutMs, "stdio initialize");
        if (transport.pid) release = adopt("everything (stdio direct)", transport.pid);
        await checkToolListed(client, ECHO);
      } catch (error) {
        await close();
        throw new Error(`${error.message}\n${stderr}`);
      }
      const workers = Array.from({ length: ctx.sessions }, () => (message) => callEcho(client, ECHO, message, ctx.callTimeoutMs));
      // No server process of ours here: the child is the backend, so its CPU is the backend's.
      return { workers, close, backendPid: transport.pid, mode: `1 child, 1 stdio connection, ${ctx.sessions} calls in flight` };
    },
  },
  {
    id: "floor",
    label: "node:http floor",
    describe: () =>
      "Node's HTTP floor on this machine: a raw node:http JSON-RPC responder (floor-server.mjs) answering tools/call with the " +
      "echo result as application/json, no SDK on the server side. It checks the session id of every call like a stateful server. " +
      "Driven by the same client, sessions and keep-alive as the proxies.",
    async start(ctx) {
      const proc = startNode("floor", join(BENCH_DIR, "floor-server.mjs"), [], { nodeFlags: ctx.nodeFlags("floor") });
      const found = await serveOverHttp(proc, async () => `http://127.0.0.1:${(await proc.waitFor(/floor: listening on (\d+)/, ctx.startupTimeoutMs))[1]}/mcp`, ECHO, ctx);
      return { ...found, mode: `${ctx.sessions} sessions, application/json answers` };
    },
  },
  oursTarget({
    id: "ours",
    label: "mcp-portcullis (ours)",
    session: "per-client",
    about: "default config apart from the backend and a free port: session per-client, so each client session gets its own everything child over stdio.",
  }),
  {
    id: "supergateway",
    label: "supergateway",
    describe: () =>
      "supergateway stdio→Streamable HTTP with --stateful: like ours, one everything child per client session (its stateless " +
      "mode spawns a child per POST). --logLevel none: its default level logs every message, a debugging aid we do not charge it for.",
    async start(ctx) {
      const command = `${shellQuote(process.execPath)} ${shellQuote(EVERYTHING)} stdio`;
      const args = ["--stdio", command, "--outputTransport", "streamableHttp", "--stateful", "--port", "0", "--logLevel", "none"];
      const proc = startNode("supergateway", binOf(requireBench, "supergateway"), args, { nodeFlags: ctx.nodeFlags("supergateway"), cwd: ctx.workDir });
      const found = await serveOverHttp(proc, guardPort(proc, ctx), ECHO, ctx);
      return { ...found, mode: `stdio→Streamable HTTP, --stateful: ${ctx.sessions} everything children` };
    },
  },
  {
    id: "mcp-proxy",
    label: "mcp-proxy (npm)",
    describe: () =>
      "The npm package mcp-proxy (punkpeye), stdio→Streamable HTTP (--server stream): its design multiplexes every client " +
      "session onto ONE everything child, so it pays for one backend where ours and supergateway pay for sixteen.",
    async start(ctx) {
      const args = ["--host", "127.0.0.1", "--port", "0", "--server", "stream", "--", process.execPath, EVERYTHING, "stdio"];
      const proc = startNode("mcp-proxy (npm)", binOf(requireBench, "mcp-proxy"), args, { nodeFlags: ctx.nodeFlags("mcp-proxy"), cwd: ctx.workDir });
      const found = await serveOverHttp(proc, guardPort(proc, ctx), ECHO, ctx);
      return { ...found, mode: `stdio→Streamable HTTP, ${ctx.sessions} sessions on 1 shared everything child` };
    },
  },
  oursTarget({
    id: "ours-shared",
    label: "mcp-portcullis, shared",
    session: "shared",
    about: 'the same with `session: "shared"`: every client session multiplexed onto one everything child, the model mcp-proxy (npm) uses: the like-for-like row for that peer, and the cost of the proxy apart from the cost of sixteen backends.',
  }),
  oursTarget({
    id: "ours-bare",
    label: "mcp-portcullis, shared, no audit",
    session: "shared",
    about: "the shared row with the audit trail switched off (it is on by default, to stderr): the proxy with no enforcement at all, the baseline of the enforced row.",
    extra: () => ({ audit: { enabled: false } }),
  }),
  oursTarget({
    id: "ours-enforced",
    label: "mcp-portcullis, shared, enforced",
    session: "shared",
    about:
      "the shared row with the gateway's work switched on: 20 JSON-Logic policies (19 that do not apply to the echo call, evaluated anyway, and the one that allows it), " +
      "a redaction filter over every result and a file audit line per call. Its calls/s over the no-audit row's is the cost of enforcement.",
    extra: (ctx) => enforcementSections(ctx.workDir),
  }),
  oursTarget({
    id: "ours-cached",
    label: "mcp-portcullis, shared, cached",
    session: "shared",
    repeatCalls: true,
    about:
      "the shared row with a cache rule on the echo tool (scope shared, 60 s) and each session repeating one call, so after its first call every answer comes from the cache: " +
      "against the shared row it is what a cache hit saves (the backend round trip), with the audit line each hit still gets.",
    extra: () => ({ cache: { rules: [{ name: "echo", match: { names: ["everything__echo"] }, ttlMs: 60_000, scope: "shared" }] } }),
  }),
];

/**
 * What the enforced row adds: rules shaped like a real team's (roles, claims, names, argument
 * tests, a toxic-flow rule over session labels), each evaluated on every call because none is
 * excluded by its match alone, a redaction that scans every text, and the audit in a file.
 */
function enforcementSections(workDir) {
  const rules = [];
  for (let i = 0; i < 18; i += 1) {
    const when =
      i % 3 === 0 ? { in: [`role-${i}`, { var: "identity.roles" }] }
      : i % 3 === 1 ? { "==": [{ var: "identity.claims.team" }, `team-${i}`] }
      : { ">": [{ var: "request.arguments.count" }, 1000 + i] };
    rules.push({ name: `rule-${i}`, effect: i % 2 === 0 ? "allow" : "deny", when });
  }
  rules.push({ name: "no-egress-after-private", effect: "deny", when: { and: [{ in: ["egress", { var: "backend.labels" }] }, { in: ["private-data", { var: "session.labelsSeen" }] }] } });
  rules.push({ name: "anyone-echoes", effect: "allow", match: { names: ["everything__echo"] }, when: { "==": [{ var: "identity.sub" }, "anonymous"] } });
  return {
    policies: { default: "deny", rules },
    filters: [{ name: "no-api-keys", redact: [{ pattern: "sk-[A-Za-z0-9]{20,}", replacement: "[KEY]" }] }],
    audit: { sink: "file", file: join(workDir, "ours-enforced.audit.jsonl") },
  };
}

/** Versions of everything measured, for the results file. */
export function versions() {
  const v = (require, name) => {
    try {
      return packageJson(require, name).version;
    } catch {
      return "missing";
    }
  };
  return {
    node: process.version,
    "mcp-portcullis": JSON.parse(readFileSync(join(ROOT_DIR, "package.json"), "utf8")).version,
    "@modelcontextprotocol/sdk (client)": v(requireRoot, "@modelcontextprotocol/sdk"),
    "@modelcontextprotocol/server-everything": v(requireRoot, "@modelcontextprotocol/server-everything"),
    supergateway: v(requireBench, "supergateway"),
    "mcp-proxy": v(requireBench, "mcp-proxy"),
  };
}
