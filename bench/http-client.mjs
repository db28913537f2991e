// The lean HTTP load generator: MCP over Streamable HTTP with nothing but node:http.
//
// Why not the SDK client: `Client.callTool` over the SDK's StreamableHTTPClientTransport costs
// the bench process ~0.6 ms of CPU per call (fetch, Zod validation, per-call promises and
// timers). On a 2-core machine the client, not the server, then sets the pace: the node:http
// floor stalls at ~2,000 calls/s while Node serves ~30,000 req/s to a lean client, so every
// ratio is squeezed towards 1 and a proxy's own cost disappears under the client's. This client
// costs ~0.06-0.1 ms per call at the floor's rate (up to ~0.3 ms against slow targets, where
// fewer answers share one wake-up), so the servers set the pace.
//
// What it does is what any MCP client does on the wire, and no less:
// - per session: POST initialize (Accept: application/json, text/event-stream), read the
//   `mcp-session-id` response header, POST notifications/initialized, POST tools/list (clients
//   list before they call; a wrong tool name fails here, loudly);
// - then tools/call POSTs carrying `mcp-session-id` and `mcp-protocol-version` (the version the
//   server answered initialize with), on one keep-alive socket per session (an http.Agent with
//   maxSockets 1 each), from a pre-built body in which only the id and the message change;
// - each answer is parsed whether it comes as application/json or as text/event-stream (the
//   peers answer with SSE): the JSON-RPC response with the call's id is the answer, a JSON-RPC
//   error or an `isError` result is an error, and the text is checked by load.mjs as before.
// It does not open the optional GET stream: no target sends anything unprompted on this path.
import http from "node:http";

const ACCEPT = "application/json, text/event-stream"; // JSON first, like the SDK clients
const PROTOCOL_VERSION = "2025-11-25"; // what the SDK v1 client asks for; the server's answer is what we send afterwards
const CLOSE_TIMEOUT_MS = 2_000;
const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

/**
 * One POST (or DELETE) on the session's agent. Resolves with status, headers and body once the
 * whole response has arrived (a keep-alive socket is reusable only then); rejects on a socket
 * error, a response cut short, or after `timeoutMs`, which destroys the request.
 */
function request(session, method, body, timeoutMs) {
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (fn, value) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn(value);
    };
    const headers = body === undefined ? session.headers : { ...session.headers, "content-length": Buffer.byteLength(body) };
    const req = http.request({ agent: session.agent, host: session.host, port: session.port, path: session.path, method, headers }, (res) => {
      if (!req.reusedSocket) session.connections++;
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk) => (text += chunk));
      res.on("end", () => settle(resolve, { status: res.statusCode, headers: res.headers, text }));
      res.on("error", (error) => settle(reject, error));
      res.on("close", () => settle(reject, new Error(`${method} response closed before its end`)));
    });
    const timer = setTimeout(() => req.destroy(new Error(`${method} took longer than ${timeoutMs} ms`)), timeoutMs);
    req.on("error", (error) => settle(reject, error));
    req.end(body);
  });
}

/** The data of each event of an SSE body (multi-line data joined with "\n", as the spec says). */
function sseData(text) {
  const events = [];
  let data;
  for (const line of text.split(/\r\n|\r|\n/)) {
    if (line === "") {
      if (data !== undefined) events.push(data);
      data = undefined;
    } else if (line.startsWith("data:")) {
      const value = line.charCodeAt(5) === 32 ? line.slice(6) : line.slice(5);
      data = data === undefined ? value : `${data}\n${value}`;
    }
  }
  if (data !== undefined) events.push(data);
  return events;
}

/** The JSON-RPC response with `id` in an HTTP answer, JSON or SSE; throws when there is none. */
function answerTo(response, id, what) {
  if (response.status !== 200) throw new Error(`${what}: HTTP ${response.status} ${response.text.slice(0, 200)}`);
  const type = String(response.headers["content-type"] ?? "");
  let messages;
  if (type.startsWith("application/json")) {
    messages = [JSON.parse(response.text)].flat();
  } else if (type.startsWith("text/event-stream")) {
    // Other events (notifications, requests to the client) may come first; only our id answers.
    messages = sseData(response.text).flatMap((data) => {
      try {
        return [JSON.parse(data)].flat();
      } catch {
        return [];
      }
    });
  } else {
    throw new Error(`${what}: unexpected content-type "${type}"`);
  }
  const answer = messages.find((m) => m !== null && typeof m === "object" && m.id === id && m.method === undefined);
  if (!answer) throw new Error(`${what}: no response with id ${id} in ${response.text.slice(0, 200)}`);
  if (answer.error) throw new Error(`${what}: JSON-RPC error ${answer.error.code}: ${answer.error.message}`);
  return answer.result;
}

const rpc = (id, method, params) => JSON.stringify({ jsonrpc: "2.0", id, method, params });

/** One session: the handshake, the tool check, and a worker that sends one tools/call at a time. */
async function openSession(target, toolName, ctx) {
  const session = {
    ...target,
    agent: new http.Agent({ keepAlive: true, maxSockets: 1, maxFreeSockets: 1, noDelay: true }),
    headers: { "content-type": "application/json", accept: ACCEPT },
    connections: 0,
  };
  try {
    const init = await request(session, "POST", rpc(0, "initialize", { protocolVersion: PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: "mcp-portcullis-bench", version: "0" } }), ctx.startupTimeoutMs);
    const { protocolVersion } = answerTo(init, 0, "initialize");
    const sessionId = init.headers["mcp-session-id"];
    if (typeof sessionId !== "string" || sessionId === "") throw new Error(`initialize at ${target.url}: no mcp-session-id header in the answer`);
    session.headers = { ...session.headers, "mcp-session-id": sessionId, "mcp-protocol-version": protocolVersion };
    const initialized = await request(session, "POST", JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }), ctx.startupTimeoutMs);
    if (initialized.status !== 202 && initialized.status !== 200) throw new Error(`notifications/initialized at ${target.url}: HTTP ${initialized.status} ${initialized.text.slice(0, 200)}`);
    const { tools } = answerTo(await request(session, "POST", rpc(1, "tools/list", {}), ctx.startupTimeoutMs), 1, "tools/list");
    if (!tools.some((t) => t.name === toolName)) throw new Error(`tool ${toolName} is not listed (got ${tools.map((t) => t.name).join(", ")})`);
  } catch (error) {
    session.agent.destroy();
    throw error;
  }

  // The body template: everything but the id and the message is serialized once, here.
  const head = '{"jsonrpc":"2.0","id":';
  const middle = `,"method":"tools/call","params":{"name":${JSON.stringify(toolName)},"arguments":{"message":`;
  const tail = "}}}";
  let nextId = 2;
  const worker = async (message) => {
    const id = nextId++;
    const response = await request(session, "POST", head + id + middle + JSON.stringify(message) + tail, ctx.callTimeoutMs);
    const result = answerTo(response, id, "tools/call");
    const text = result?.content?.[0]?.text;
    if (result?.isError) throw new Error(`tool error: ${text}`);
    return text;
  };
  const close = async () => {
    await request(session, "DELETE", undefined, CLOSE_TIMEOUT_MS).catch(() => undefined);
    session.agent.destroy();
  };
  return { worker, close, connections: () => session.connections };
}

/**
 * `ctx.sessions` independent sessions to one Streamable HTTP endpoint, one worker each. Only
 * loopback URLs are accepted: the bench never sends load anywhere else.
 */
export async function openLeanSessions(url, toolName, ctx) {
  const parsed = new URL(url);
  if (parsed.protocol !== "http:" || !LOOPBACK.has(parsed.hostname)) throw new Error(`refusing to load ${url}: loopback http only`);
  const target = { url, host: parsed.hostname.replace(/^\[|\]$/g, ""), port: Number(parsed.port || 80), path: parsed.pathname + parsed.search };
  const opened = await Promise.allSettled(Array.from({ length: ctx.sessions }, () => openSession(target, toolName, ctx)));
  const sessions = opened.filter((o) => o.status === "fulfilled").map((o) => o.value);
  const close = () => Promise.all(sessions.map((s) => s.close()));
  const failed = opened.find((o) => o.status === "rejected");
  if (failed) {
    await close();
    throw failed.reason;
  }
  return {
    workers: sessions.map((s) => s.worker),
    close,
    // TCP connections opened so far, all sessions together: = sessions when keep-alive held.
    connections: () => sessions.reduce((sum, s) => sum + s.connections(), 0),
  };
}
