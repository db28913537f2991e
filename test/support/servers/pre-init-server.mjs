// A legacy stdio server (2025-06-18, no SDK) strict about its opening, as some deployed servers
// are: before `initialize` it either ignores every request or exits on the first one.
//   node pre-init-server.mjs silent|exit [name]
import { createInterface } from "node:readline";

const [mode = "silent", name = "strict"] = process.argv.slice(2);
const send = (message) => process.stdout.write(`${JSON.stringify({ jsonrpc: "2.0", ...message })}\n`);
let initialized = false;
createInterface({ input: process.stdin }).on("line", (line) => {
  const message = JSON.parse(line);
  if (message.method === "initialize") {
    initialized = true;
    send({ id: message.id, result: { protocolVersion: "2025-06-18", capabilities: { tools: {} }, serverInfo: { name, version: "1.0.0" } } });
    return;
  }
  if (!initialized) {
    if (mode === "exit") process.exit(1);
    return;
  }
  if (message.id === undefined) return;
  if (message.method === "tools/list") send({ id: message.id, result: { tools: [{ name: "hello", inputSchema: { type: "object" } }] } });
  else if (message.method === "tools/call") send({ id: message.id, result: { content: [{ type: "text", text: `${name}: hello` }] } });
  else send({ id: message.id, error: { code: -32601, message: "Method not found" } });
});
