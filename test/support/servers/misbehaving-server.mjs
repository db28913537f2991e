// A raw stdio MCP server (no SDK) that can be told to misbehave, so tests can show what the
// proxy does with a broken backend. Flags:
//   --before-init LINE   writes LINE (verbatim) before answering initialize
//   --grandchild         starts a long-lived grandchild process (as npx → node would)
//   --ignore-term        ignores SIGTERM and stays up when its stdin ends (a backend that has to be killed)
// Tools: echo, pid, family ({ pid, grandchild }), emit { lines } (writes each line verbatim,
// then answers), big { bytes } (answers with a text of that many characters).
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";

const argv = process.argv.slice(2);
const beforeInit = argv.includes("--before-init") ? argv[argv.indexOf("--before-init") + 1] : undefined;
const grandchild = argv.includes("--grandchild")
  ? spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" })
  : undefined;

if (argv.includes("--ignore-term")) process.on("SIGTERM", () => undefined);

const write = (line) => process.stdout.write(`${line}\n`);
const answer = (id, result) => write(JSON.stringify({ jsonrpc: "2.0", id, result }));
const text = (t) => ({ content: [{ type: "text", text: t }] });
const tool = (name) => ({ name, inputSchema: { type: "object" } });

function call(id, name, args) {
  switch (name) {
    case "echo": return answer(id, text("echo"));
    case "pid": return answer(id, text(String(process.pid)));
    case "family": return answer(id, text(JSON.stringify({ pid: process.pid, grandchild: grandchild?.pid })));
    case "emit":
      for (const line of args.lines ?? []) write(line);
      return answer(id, text("emitted"));
    case "big": return answer(id, text("x".repeat(Number(args.bytes))));
    default: return write(JSON.stringify({ jsonrpc: "2.0", id, error: { code: -32602, message: `Unknown tool: ${name}` } }));
  }
}

createInterface({ input: process.stdin }).on("line", (line) => {
  if (!line.trim()) return;
  const m = JSON.parse(line);
  if (m.id === undefined) return; // notifications
  if (m.method === "initialize") {
    if (beforeInit !== undefined) write(beforeInit);
    return answer(m.id, { protocolVersion: m.params.protocolVersion, capabilities: { tools: {} }, serverInfo: { name: "misbehaving", version: "1.0.0" } });
  }
  if (m.method === "tools/list") return answer(m.id, { tools: ["echo", "pid", "family", "emit", "big"].map(tool) });
  if (m.method === "tools/call") return call(m.id, m.params.name, m.params.arguments ?? {});
  if (m.method === "ping") return answer(m.id, {});
  write(JSON.stringify({ jsonrpc: "2.0", id: m.id, error: { code: -32601, message: "Method not found" } }));
});
if (argv.includes("--ignore-term")) setInterval(() => undefined, 1 << 30);
else process.stdin.on("end", () => process.exit(0));
