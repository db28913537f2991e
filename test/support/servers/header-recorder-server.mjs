// An MCP server (v1 SDK) that keeps every header of every request it gets, so a test can tell
// exactly which credentials reached a backend. Streamable HTTP at /mcp, legacy SSE at /sse.
//   node header-recorder-server.mjs    prints its Streamable HTTP URL on stdout
// GET /headers answers every request's headers, in order. The `authorization` tool answers
// the Authorization header of the request that called it.
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { SSEServerTransport } from "@modelcontextprotocol/sdk/server/sse.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { CallToolRequestSchema, ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js";

const seen = [];
const sessions = new Map();
const sseSessions = new Map();

function makeServer() {
  const server = new Server({ name: "header-recorder", version: "1.0.0" }, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: [{ name: "authorization", description: "the Authorization header this call arrived with", inputSchema: { type: "object", properties: {} } }],
  }));
  server.setRequestHandler(CallToolRequestSchema, async (_request, extra) => ({
    content: [{ type: "text", text: String(extra.requestInfo?.headers?.authorization ?? "none") }],
  }));
  return server;
}

const http = createServer(async (req, res) => {
  if (req.url === "/headers") return void res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(seen));
  seen.push(req.headers);
  if (req.method === "GET" && req.url === "/sse") {
    const transport = new SSEServerTransport("/messages", res);
    sseSessions.set(transport.sessionId, transport);
    res.on("close", () => sseSessions.delete(transport.sessionId));
    return void (await makeServer().connect(transport));
  }
  if (req.url?.startsWith("/messages")) {
    const transport = sseSessions.get(new URL(req.url, "http://x").searchParams.get("sessionId"));
    if (!transport) return void res.writeHead(404).end();
    return void (await transport.handlePostMessage(req, res));
  }
  const chunks = [];
  for await (const c of req) chunks.push(c);
  const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString()) : undefined;
  const sid = req.headers["mcp-session-id"];
  let transport = sid ? sessions.get(sid) : undefined;
  if (!transport) {
    if (sid) return void res.writeHead(404).end();
    transport = new StreamableHTTPServerTransport({ sessionIdGenerator: () => randomUUID(), onsessioninitialized: (id) => sessions.set(id, transport) });
    await makeServer().connect(transport);
  }
  await transport.handleRequest(req, res, body);
});
http.listen(0, "127.0.0.1", () => console.log(`http://127.0.0.1:${http.address().port}/mcp`));
