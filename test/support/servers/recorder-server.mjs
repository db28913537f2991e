// A small MCP server (v1 SDK, like most deployed servers) that records what reaches it, so
// tests can assert what a backend actually received through the proxy. Modes:
//   node recorder-server.mjs stdio <name>
//   node recorder-server.mjs http <name> [port]   (prints its URL on stdout; 127.0.0.1, free port by default)
// With RECORDER_DOWN_WHILE=<file> in its environment it exits at start while that file exists,
// so a test can hold a backend down for as long as it needs to look at the outage; with
// RECORDER_START_DELAY_MS=<ms> it starts answering only after that long (a slow start); with
// RECORDER_PERSONAL_TOOL=1 it also lists a `personal` tool to every client but the gateway itself
// (a server that lists by who its client is).
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { createServer } from "node:http";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import {
  CallToolRequestSchema, CreateMessageResultSchema, ElicitResultSchema, GetPromptRequestSchema, ListPromptsRequestSchema,
  ListResourcesRequestSchema, ListResourceTemplatesRequestSchema, ListToolsRequestSchema, ReadResourceRequestSchema,
  SetLevelRequestSchema, SubscribeRequestSchema, UnsubscribeRequestSchema,
} from "@modelcontextprotocol/sdk/types.js";

const [mode = "stdio", name = "recorder", port = "0"] = process.argv.slice(2);
if (process.env.RECORDER_DOWN_WHILE && existsSync(process.env.RECORDER_DOWN_WHILE)) process.exit(3);
if (process.env.RECORDER_START_DELAY_MS) await new Promise((resolve) => setTimeout(resolve, Number(process.env.RECORDER_START_DELAY_MS)));
const cancellations = [];
const subscriptions = new Set();
let logLevel = null;
const text = (t) => ({ content: [{ type: "text", text: t }] });
const obj = { type: "object", properties: {} };

const tools = [
  { name: "search", description: `search in ${name}`, inputSchema: { type: "object", properties: { query: { type: "string" } } } },
  { name: "whoami", description: "the server's name", inputSchema: obj },
  { name: "pid", description: "the server's process id", inputSchema: obj },
  { name: "slow", description: "waits ms milliseconds, or until cancelled", inputSchema: { type: "object", properties: { ms: { type: "number" } } } },
  { name: "cancellations", description: "cancellations received so far", inputSchema: obj },
  { name: "ask-sampling", description: "asks the client to sample", inputSchema: { type: "object", properties: { prompt: { type: "string" } } } },
  { name: "ask-elicitation", description: "asks the client for input (after delayMs)", inputSchema: { type: "object", properties: { message: { type: "string" }, delayMs: { type: "number" } } } },
  { name: "rich", description: "returns fields typed SDKs tend to strip", inputSchema: obj, outputSchema: { type: "object", properties: { ok: { type: "boolean" } } }, annotations: { readOnlyHint: true }, _meta: { "vendor/extra": 1 } },
  { name: "fail", description: "answers with a JSON-RPC error", inputSchema: obj },
  { name: "state", description: "subscriptions and log level this process was given", inputSchema: obj },
  { name: "touch", description: "announces that a resource changed (resources/updated)", inputSchema: { type: "object", properties: { uri: { type: "string" } } } },
  { name: "leak", description: "returns RECORDER_PLANT in text, structured content, an embedded resource and _meta", inputSchema: obj },
  { name: "big", description: "returns a text of n bytes", inputSchema: { type: "object", properties: { n: { type: "number" } } } },
  { name: "trace", description: "the W3C trace context this call arrived with: the traceparent header (HTTP mode) and params._meta.traceparent", inputSchema: obj },
  { name: "log", description: "sends one log message at each level, tagged with a label", inputSchema: { type: "object", properties: { label: { type: "string" } } } },
];
const LEVELS = ["debug", "info", "warning", "error"];

function makeServer() {
  const server = new Server({ name: `recorder-${name}`, version: "1.0.0" }, { capabilities: { tools: {}, prompts: {}, resources: { subscribe: true }, logging: {} }, instructions: `${name} records what it receives.` });
  const personal = { name: "personal", description: "listed to clients other than the gateway itself", inputSchema: obj };
  const clientName = () => server.getClientVersion()?.name;
  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: process.env.RECORDER_PERSONAL_TOOL && clientName() !== "mcp-portcullis" ? [...tools, personal] : tools,
  }));
  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const args = request.params.arguments ?? {};
    switch (request.params.name) {
      case "search": return text(`${name}: ${args.query}`);
      case "whoami": return text(name);
      case "trace": return text(JSON.stringify({ header: extra.requestInfo?.headers?.traceparent ?? null, meta: request.params._meta?.traceparent ?? null }));
      case "personal": return text(`personal: ${clientName()}`);
      case "pid": return text(String(process.pid));
      case "cancellations": return text(JSON.stringify(cancellations));
      case "state": return text(JSON.stringify({ subscriptions: [...subscriptions], logLevel }));
      case "touch":
        await server.sendResourceUpdated({ uri: String(args.uri) });
        return text("touched");
      case "log":
        // Every level, whatever was set: the proxy is the one that filters per client.
        for (const level of LEVELS) await server.sendLoggingMessage({ level, logger: name, data: `${args.label}:${level}` });
        return text("logged");
      case "slow":
        return new Promise((resolve) => {
          const timer = setTimeout(() => resolve(text("done")), Number(args.ms ?? 1000));
          extra.signal.addEventListener("abort", () => {
            clearTimeout(timer);
            cancellations.push({ requestId: extra.requestId, reason: String(extra.signal.reason ?? "") });
            resolve(text("cancelled"));
          });
        });
      case "ask-sampling": {
        const result = await extra.sendRequest({ method: "sampling/createMessage", params: { messages: [{ role: "user", content: { type: "text", text: String(args.prompt) } }], maxTokens: 50 } }, CreateMessageResultSchema);
        return text(`sampled: ${result.content.text}`);
      }
      case "ask-elicitation": {
        if (args.delayMs) await new Promise((resolve) => setTimeout(resolve, Number(args.delayMs)));
        const result = await extra.sendRequest({ method: "elicitation/create", params: { message: String(args.message), requestedSchema: { type: "object", properties: { answer: { type: "string" } } } } }, ElicitResultSchema);
        return text(`elicited: ${result.action} ${JSON.stringify(result.content ?? {})}`);
      }
      case "leak": {
        const plant = process.env.RECORDER_PLANT ?? "nothing-planted";
        return {
          content: [
            { type: "text", text: `the key is ${plant}, keep it` },
            { type: "resource", resource: { uri: `recorder://${name}/leak`, mimeType: "text/plain", text: `embedded ${plant}` } },
          ],
          structuredContent: { owner: name, nested: { list: ["a", `deep ${plant}`] }, internal: "strip me" },
          _meta: { "io.example/trace": "strip me too", kept: "kept" },
        };
      }
      case "big": return text("x".repeat(Number(args.n ?? 1000)));
      case "rich": return { content: [{ type: "text", text: "rich", _meta: { "vendor/block": true } }], structuredContent: { ok: true }, _meta: { "vendor/result": "kept" } };
      case "fail": { const e = new Error(`${name} refuses`); e.code = -32042; e.data = { why: "test" }; throw e; }
      default: { const e = new Error(`Unknown tool: ${request.params.name}`); e.code = -32602; throw e; }
    }
  });
  server.setRequestHandler(SubscribeRequestSchema, async (request) => {
    // A URI naming "refuse" is refused, after a while: long enough for another client to ask too.
    if (request.params.uri.includes("refuse")) {
      await new Promise((resolve) => setTimeout(resolve, 300));
      const e = new Error(`not subscribable: ${request.params.uri}`);
      e.code = -32602;
      throw e;
    }
    subscriptions.add(request.params.uri);
    return {};
  });
  server.setRequestHandler(UnsubscribeRequestSchema, async (request) => (subscriptions.delete(request.params.uri), {}));
  server.setRequestHandler(SetLevelRequestSchema, async (request) => {
    // RECORDER_SETLEVEL_DELAY_MS: a backend slow to change its level, so requests overlap.
    await new Promise((resolve) => setTimeout(resolve, Number(process.env.RECORDER_SETLEVEL_DELAY_MS ?? 0)));
    logLevel = request.params.level;
    return {};
  });
  server.setRequestHandler(ListPromptsRequestSchema, async () => ({ prompts: [{ name: "greet", arguments: [{ name: "who", required: true }] }] }));
  server.setRequestHandler(GetPromptRequestSchema, async (request) => ({ messages: [{ role: "user", content: { type: "text", text: `${name} greets ${request.params.arguments?.who}` } }] }));
  server.setRequestHandler(ListResourcesRequestSchema, async () => ({ resources: [{ uri: `recorder://${name}/info`, name: "info", mimeType: "text/plain" }] }));
  server.setRequestHandler(ListResourceTemplatesRequestSchema, async () => ({ resourceTemplates: [{ uriTemplate: `recorder://${name}/files/{path}`, name: "files" }] }));
  server.setRequestHandler(ReadResourceRequestSchema, async (request) => {
    const uri = request.params.uri;
    if (uri.startsWith(`recorder://${name}/files/`)) {
      const e = new Error(`Resource not found: ${uri}`);
      e.code = -32002;
      e.data = { uri };
      throw e;
    }
    const plant = process.env.RECORDER_PLANT;
    return { contents: [{ uri, mimeType: "text/plain", text: `info of ${name}${plant ? ` with ${plant}` : ""}` }] };
  });
  return server;
}

if (mode === "stdio") {
  await makeServer().connect(new StdioServerTransport());
} else {
  const sessions = new Map();
  const http = createServer(async (req, res) => {
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
  http.listen(Number(port), "127.0.0.1", () => console.log(`http://127.0.0.1:${http.address().port}/mcp`));
}
