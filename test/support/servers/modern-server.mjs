// A 2026-07-28 server (official SDK v2: createMcpHandler over HTTP, serveStdio over stdio) that
// asks its client for input the modern way: an input_required result, answered in the retry.
//   node modern-server.mjs http [name]   (prints its URL on stdout; 127.0.0.1, free port)
//   node modern-server.mjs stdio [name] [cacheHints]
// cacheHints (JSON, optional): the SDK's per-method ttlMs/cacheScope for its cacheable results,
// e.g. '{"tools/list":{"ttlMs":60000,"cacheScope":"public"}}' (without it: ttlMs 0, private).
// With MODERN_LEGACY=reject the HTTP handler refuses legacy (initialize) clients; with
// MODERN_NO_SUBSCRIBE=1 it offers no resource subscriptions.
// Its tool "grow" adds a tool and "touch" says its info resource changed, both told on
// subscriptions/listen streams (the only way a 2026-07-28 server tells its clients); "streams"
// counts the listen streams open on the HTTP server.
import { createServer } from "node:http";
import { acceptedContent, createMcpHandler, inputRequired, inputResponse, McpServer } from "@modelcontextprotocol/server";
import { serveStdio } from "@modelcontextprotocol/server/stdio";
import { toNodeHandler } from "@modelcontextprotocol/node";
import * as z from "zod";

const [mode = "http", name = "modern", hints] = process.argv.slice(2);
const cacheHints = hints ? JSON.parse(hints) : undefined;
const text = (t) => ({ content: [{ type: "text", text: t }] });
const infoUri = `modern://${name}/info`;
/** Tools added by "grow": every instance the HTTP handler makes registers them. */
const grown = new Set();
/** How changes reach listen streams: the handler's bus over HTTP, the pinned instance's notifications over stdio. */
let announce;
const registerGrown = (server, tool) => server.registerTool(tool, { description: "grown", inputSchema: z.object({}) }, async () => text(`${name}: ${tool}`));

function makeServer() {
  const server = new McpServer({ name: `modern-${name}`, version: "1.0.0" }, { capabilities: { tools: { listChanged: true }, resources: { subscribe: process.env.MODERN_NO_SUBSCRIBE !== "1", listChanged: true } }, instructions: `${name} speaks 2026-07-28.`, ...(cacheHints ? { cacheHints } : {}) });
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
  for (const tool of grown) registerGrown(server, tool);
  server.registerTool("grow", { description: "adds a tool", inputSchema: z.object({ tool: z.string() }) }, async ({ tool }) => {
    grown.add(tool);
    announce.toolAdded(server, tool);
    return text(`grew ${tool}`);
  });
  server.registerTool("touch", { description: "changes the info resource", inputSchema: z.object({}) }, async () => {
    announce.resourceUpdated(server, infoUri);
    return text("touched");
  });
  server.registerTool("streams", { description: "how many subscriptions/listen streams are open (HTTP)", inputSchema: z.object({}) }, async () => text(String(announce.streams?.() ?? -1)));
  server.registerResource("info", infoUri, { mimeType: "text/plain" }, async (uri) => ({ contents: [{ uri: uri.href, text: `${name} info` }] }));
  return server;
}

if (mode === "stdio") {
  announce = {
    toolAdded: (server, tool) => registerGrown(server, tool), // the SDK sends list_changed for it
    resourceUpdated: (server, uri) => void server.server.sendResourceUpdated({ uri }),
  };
  serveStdio(makeServer);
} else {
  const handler = createMcpHandler(makeServer, process.env.MODERN_LEGACY === "reject" ? { legacy: "reject" } : {});
  announce = { toolAdded: () => handler.notify.toolsChanged(), resourceUpdated: (_server, uri) => handler.notify.resourceUpdated(uri), streams: () => handler.bus.listenerCount };
  const node = toNodeHandler(handler);
  const http = createServer((req, res) => void node(req, res));
  http.listen(0, "127.0.0.1", () => console.log(`http://127.0.0.1:${http.address().port}/mcp`));
}
