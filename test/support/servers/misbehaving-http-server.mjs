// A raw Streamable HTTP MCP server (no SDK) that can be told to misbehave. Prints its URL.
//   node misbehaving-http-server.mjs null-reply    tools/call "null" is answered with the JSON text `null`
//   node misbehaving-http-server.mjs echo-401      every POST (and a legacy SSE GET) gets a 401 whose body repeats the Authorization header
//   node misbehaving-http-server.mjs echo-401-calls  the same, for tools/call only (a credential revoked after start-up)
// Every mode counts the POSTs it receives: GET /posts answers the count.
// Tools: echo, null, initializes (how many initialize requests arrived so far), big { bytes }
// (a text of that many characters, with a Content-Length), big-stream { bytes } (the same, chunked),
// fail500 (HTTP 500 whose reason phrase repeats the Authorization header), leak (a JSON-RPC error
// whose message and data repeat it).
import { createServer } from "node:http";

const mode = process.argv[2] ?? "null-reply";
let initializes = 0;
let posts = 0;
const text = (t) => ({ content: [{ type: "text", text: t }] });

function reply(message) {
  if (message.method === "initialize") {
    initializes++;
    return { protocolVersion: message.params.protocolVersion, capabilities: { tools: {} }, serverInfo: { name: "misbehaving-http", version: "1.0.0" } };
  }
  if (message.method === "tools/list") return { tools: ["echo", "null", "initializes", "big", "big-stream", "fail500", "leak"].map((name) => ({ name, inputSchema: { type: "object" } })) };
  if (message.method === "tools/call" && message.params.name.startsWith("big")) return text("x".repeat(Number(message.params.arguments?.bytes ?? 0)));
  if (message.method === "tools/call" && message.params.name === "initializes") return text(String(initializes));
  if (message.method === "tools/call" && message.params.name === "null") return null;
  return text("echo");
}

const server = createServer((req, res) => {
  let body = "";
  req.on("data", (d) => (body += d));
  req.on("end", () => {
    if (req.method === "GET" && req.url === "/posts") return res.writeHead(200).end(String(posts));
    if (mode === "echo-401" && req.method === "GET") return res.writeHead(401, { "content-type": "text/plain" }).end(`invalid credentials: ${req.headers.authorization}`);
    if (req.method !== "POST") return res.writeHead(405).end();
    posts++;
    const message = JSON.parse(body);
    const refused = mode === "echo-401" || (mode === "echo-401-calls" && message.method === "tools/call");
    if (refused) return res.writeHead(401, { "content-type": "text/plain" }).end(`invalid credentials: ${req.headers.authorization}`);
    if (message.id === undefined) return res.writeHead(202).end();
    if (message.params?.name === "fail500") return res.writeHead(500, `boom ${req.headers.authorization}`).end(`stack trace with ${req.headers.authorization}`);
    if (message.params?.name === "leak") {
      const error = { code: -32000, message: `bad auth ${req.headers.authorization}`, data: { auth: req.headers.authorization } };
      return res.writeHead(200, { "content-type": "application/json", "mcp-session-id": "s1" }).end(JSON.stringify({ jsonrpc: "2.0", id: message.id, error }));
    }
    const result = reply(message);
    const out = result === null ? "null" : JSON.stringify({ jsonrpc: "2.0", id: message.id, result });
    res.writeHead(200, { "content-type": "application/json", "mcp-session-id": "s1" });
    if (message.params?.name !== "big-stream") return res.end(out);
    for (let i = 0; i < out.length; i += 16_384) res.write(out.slice(i, i + 16_384));
    res.end();
  });
});
server.listen(0, "127.0.0.1", () => process.stdout.write(`http://127.0.0.1:${server.address().port}/mcp\n`));
