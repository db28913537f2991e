// A 2026-07-28 server (official SDK v2: createMcpHandler over HTTP, serveStdio over stdio) that
// asks its client for input the modern way: an input_required result, answered in the retry.
//   node modern-server.mjs http [name]   (prints its URL on stdout; 127.0.0.1, free port)
//   node modern-server.mjs stdio [name] [cacheHints]
// cacheHints (JSON, optional): the SDK's per-method ttlMs/cacheScope for its cacheable results,
// e.g. '{"tools/list":{"ttlMs":60000,"cacheScope":"public"}}' (without it: ttlMs 0, private).
// With MODERN_LEGACY=reject the HTTP handler refuses legacy (initialize) clients.
import { createServer } from "node:http";
import { acceptedContent, createMcpHandler, inputRequired, inputResponse, McpServer } from "@modelcontextprotocol/server";
import { serveStdio } from "@modelcontextprotocol/server/stdio";
import { toNodeHandler } from "@modelcontextprotocol/node";
import * as z from "zod";

const [mode = "http", name = "modern", hints] = process.argv.slice(2);
const cacheHints = hints ? JSON.parse(hints) : undefined;
const text = (t) => ({ content: [{ type: "text", text: t }] });

function makeServer() {
  const server = new McpServer({ name: `modern-${name}`, version: "1.0.0" }, { capabilities: { tools: {}, resources: {} }, instructions: `${name} speaks 2026-07-28.`, ...(cacheHints ? { cacheHints } : {}) });
  server.registerTool("echo", { description: "echoes", inputSchema: z.object({ text: z.string() }) }, async ({ text: t }) => text(`${name}: ${t}`));
  server.registerTool("ask", { description: "asks its client for a name (elicitation by input_required)", inputSchema: z.object({}) }, async (_args, ctx) => {
    const answer = acceptedContent(ctx.mcpReq.inputResponses, "who", z.object({ answer: z.string() }));
    if (!answer) return inputRequired({ inputRequests: { who: inputRequired.elicit({ message: "who are you?", requestedSchema: z.object({ answer: z.string() }) }) } });
    return text(`hello ${answer.answer}`);
  });
  server.registerTool("sample", { description: "asks its client to sample (input_required)", inputSchema: z.object({}) }, async (_args, ctx) => {
    const view = inputResponse(ctx.mcpReq.inputResponses, "llm");
    if (view.kind !== "sampling") return inputRequired({ inputRequests: { llm: inputRequired.createMessage({ messages: [{ role: "user", content: { type: "text", text: "say hi" } }], maxTokens: 20 }) } });
    return text(`sampled: ${view.result.content.text}`);
  });
  server.registerResource("info", `modern://${name}/info`, { mimeType: "text/plain" }, async (uri) => ({ contents: [{ uri: uri.href, text: `${name} info` }] }));
  return server;
}

if (mode === "stdio") {
  serveStdio(makeServer);
} else {
  const handler = createMcpHandler(makeServer, process.env.MODERN_LEGACY === "reject" ? { legacy: "reject" } : {});
  const node = toNodeHandler(handler);
  const http = createServer((req, res) => void node(req, res));
  http.listen(0, "127.0.0.1", () => console.log(`http://127.0.0.1:${http.address().port}/mcp`));
}
