// The "floor": the least an HTTP server can do to answer MCP tools/call on this machine.
// Plain node:http, no framework, no SDK, no schema validation, one JSON answer per POST
// (application/json, never SSE). It speaks just enough of Streamable HTTP for the bench's
// clients (lean and SDK) to drive it like the proxies: initialize (answered with an
// `mcp-session-id` header), notifications (202), GET (405), DELETE (200, ends the session),
// ping, tools/list and tools/call on one `echo` tool that answers exactly like the everything
// server's: `Echo: <message>`. Every other POST must carry a session id it issued (400 without
// one, 404 for an unknown one, as a stateful server answers): one Set lookup, which keeps the
// floor honest about the handshake the clients do, at no measurable cost.
//
// Run as its own process by run.mjs (like every server it measures): `node floor-server.mjs`
// listens on 127.0.0.1 on a free port and prints `floor: listening on <port>` on stdout.
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";

const ECHO_TOOL = {
  name: "echo",
  description: "Echoes back the input string",
  inputSchema: { type: "object", properties: { message: { type: "string" } }, required: ["message"] },
};

/** The JSON-RPC answer to one message, or undefined for a notification. */
function answer(message) {
  if (message === null || typeof message !== "object" || message.id === undefined) return undefined;
  const { id, method, params } = message;
  switch (method) {
    case "initialize":
      return { jsonrpc: "2.0", id, result: { protocolVersion: params?.protocolVersion ?? "2025-11-25", capabilities: { tools: {} }, serverInfo: { name: "floor", version: "0" } } };
    case "ping":
      return { jsonrpc: "2.0", id, result: {} };
    case "tools/list":
      return { jsonrpc: "2.0", id, result: { tools: [ECHO_TOOL] } };
    case "tools/call":
      if (params?.name === "echo") return { jsonrpc: "2.0", id, result: { content: [{ type: "text", text: `Echo: ${params.arguments?.message}` }] } };
      return { jsonrpc: "2.0", id, error: { code: -32602, message: `Unknown tool: ${params?.name}` } };
    default:
      return { jsonrpc: "2.0", id, error: { code: -32601, message: `Method not found: ${method}` } };
  }
}

function send(res, status, body, headers = {}) {
  const payload = body === undefined ? "" : JSON.stringify(body);
  res.writeHead(status, { ...headers, ...(payload ? { "content-type": "application/json" } : {}), "content-length": Buffer.byteLength(payload) });
  res.end(payload);
}

/** Session ids issued by initialize and not yet ended by DELETE. */
const sessions = new Set();

/** undefined when the request belongs to a live session, else why not (status and message). */
function sessionProblem(req) {
  const id = req.headers["mcp-session-id"];
  if (typeof id !== "string") return [400, "Bad Request: mcp-session-id header is required"];
  if (!sessions.has(id)) return [404, "Session not found"];
  return undefined;
}

function onPost(req, res) {
  const chunks = [];
  req.on("data", (chunk) => chunks.push(chunk));
  req.on("end", () => {
    let body;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch {
      return send(res, 400, { jsonrpc: "2.0", id: null, error: { code: -32700, message: "Parse error" } });
    }
    const isInit = !Array.isArray(body) && body?.method === "initialize";
    const problem = isInit ? undefined : sessionProblem(req);
    if (problem) return send(res, problem[0], { jsonrpc: "2.0", id: null, error: { code: -32000, message: problem[1] } });
    const answers = (Array.isArray(body) ? body : [body]).map(answer).filter((a) => a !== undefined);
    if (answers.length === 0) return send(res, 202, undefined);
    let headers = {};
    if (isInit) {
      const id = randomUUID();
      sessions.add(id);
      headers = { "mcp-session-id": id };
    }
    send(res, 200, Array.isArray(body) ? answers : answers[0], headers);
  });
}

const server = createServer((req, res) => {
  if (req.method === "POST") return onPost(req, res);
  if (req.method === "DELETE") {
    sessions.delete(String(req.headers["mcp-session-id"]));
    return send(res, 200, undefined);
  }
  send(res, 405, undefined, { allow: "POST, DELETE" });
});
server.keepAliveTimeout = 65_000;
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`floor: listening on ${server.address().port}\n`);
});

const stop = () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
