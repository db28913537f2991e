// A raw stdio MCP server (no SDK) that produces a lot, fast, so tests can show what the proxy
// does when a client reads slower than a backend writes. Tools:
//   flood { count, bytes }  sends `count` notifications of `bytes` characters each (progress
//                           when the call carries a progressToken, log messages otherwise),
//                           as fast as its stdout drains, then answers; a cancellation stops it
//   big { bytes }           answers with a text of that many characters
//   echo { text }           answers with its text
import { createInterface } from "node:readline";

const write = (message) => new Promise((resolve) => (process.stdout.write(`${JSON.stringify(message)}\n`) ? resolve() : process.stdout.once("drain", resolve)));
const answer = (id, result) => write({ jsonrpc: "2.0", id, result });
const text = (t) => ({ content: [{ type: "text", text: t }] });
const tool = (name, properties) => ({ name, inputSchema: { type: "object", properties } });
const cancelled = new Set();

async function flood(id, args, progressToken) {
  const payload = "x".repeat(Number(args.bytes ?? 1000));
  const count = Number(args.count ?? 100);
  let sent = 0;
  for (; sent < count && !cancelled.has(id); sent++) {
    if (progressToken !== undefined) await write({ jsonrpc: "2.0", method: "notifications/progress", params: { progressToken, progress: sent, total: count, message: payload } });
    else await write({ jsonrpc: "2.0", method: "notifications/message", params: { level: "info", logger: "flood", data: payload } });
  }
  return answer(id, text(`flooded ${sent}`));
}

function call(id, params) {
  const args = params.arguments ?? {};
  switch (params.name) {
    case "flood": return flood(id, args, params._meta?.progressToken);
    case "big": return answer(id, text("x".repeat(Number(args.bytes))));
    case "echo": return answer(id, text(String(args.text ?? "echo")));
    default: return write({ jsonrpc: "2.0", id, error: { code: -32602, message: `Unknown tool: ${params.name}` } });
  }
}

createInterface({ input: process.stdin }).on("line", (line) => {
  const m = JSON.parse(line);
  if (m.method === "initialize") {
    return answer(m.id, { protocolVersion: m.params.protocolVersion, capabilities: { tools: {}, logging: {} }, serverInfo: { name: "flood", version: "1.0.0" } });
  }
  if (m.method === "notifications/cancelled") return void cancelled.add(m.params?.requestId);
  if (m.id === undefined) return;
  if (m.method === "tools/list") return answer(m.id, { tools: [tool("flood", { count: { type: "number" }, bytes: { type: "number" } }), tool("big", { bytes: { type: "number" } }), tool("echo", { text: { type: "string" } })] });
  if (m.method === "tools/call") return call(m.id, m.params);
  if (m.method === "ping" || m.method === "logging/setLevel") return answer(m.id, {});
  return write({ jsonrpc: "2.0", id: m.id, error: { code: -32601, message: `Method not found: ${m.method}` } });
});
