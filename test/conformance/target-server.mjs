#!/usr/bin/env node
// Conformance target: an MCP server that implements every active server scenario of
// @modelcontextprotocol/conformance 0.1.16, built on the low-level v2 `Server` behind
// `NodeStreamableHTTPServerTransport` (stateful: one transport + Server per Mcp-Session-Id).
// 2026-07-28 requests (a `_meta` protocol-version claim, no session) go to the SDK's
// `createMcpHandler` over the same server factory, for the 0.2.0 alpha's --requirements
// 2026-07-28 run, with the suite's input_required diagnostics (target-input-required.mjs), the
// tasks extension's fixtures (target-tasks.mjs) and a tool with an `x-mcp-header` parameter
// whose Mcp-Param-* header the target checks (target-headers.mjs).
// run-conformance.mjs runs the suite against it directly and through the proxy.
//
//   node test/conformance/target-server.mjs [PORT] [--exit-with-stdin]
//
// PORT may also come from CONFORMANCE_TARGET_PORT or PORT; 0 (the default) picks a free one.
// Listens on 127.0.0.1 only and prints `conformance target: serving at http://127.0.0.1:PORT/mcp`
// on stdout once it accepts connections. SIGTERM / SIGINT end it; with --exit-with-stdin, so
// does its stdin closing (a parent that dies without signalling it closes that pipe).
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import { classifyInboundRequest, createMcpHandler, ProtocolError, Server } from "@modelcontextprotocol/server";
import { HEADER_TOOL, callHeaderTool, customHeaderMismatch } from "./target-headers.mjs";
import { TASK_TOOLS, TASKS_EXTENSION, callTaskTool, installTaskMethods } from "./target-tasks.mjs";
import { INPUT_REQUIRED_PROMPT, INPUT_REQUIRED_TOOLS, callInputRequiredTool, getInputRequiredPrompt } from "./target-input-required.mjs";
import {
  NodeStreamableHTTPServerTransport,
  toNodeHandler,
  localhostHostValidation,
  localhostOriginValidation,
} from "@modelcontextprotocol/node";

// 1×1 PNG and an empty 8 kHz mono WAV.
const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";
const WAV = "UklGRiQAAABXQVZFZm10IBAAAAABAAEAQB8AAIA+AAACABAAZGF0YQAAAAA=";

const noArgs = { type: "object", properties: {} };
/**
 * The schema scenario json-schema-2020-12 expects back, keys and all: the SEP-1613 keywords
 * ($schema, $defs, additionalProperties) and, for 2026-07-28, the SEP-2106 ones (an $anchor in
 * $defs, allOf/anyOf, if/then/else), which a server or a proxy must not strip.
 */
const JSON_SCHEMA_2020_12 = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  type: "object",
  $defs: { address: { $anchor: "addressDef", type: "object", properties: { street: { type: "string" }, city: { type: "string" } } } },
  properties: {
    name: { type: "string" },
    address: { $ref: "#/$defs/address" },
    contactMethod: { type: "string", enum: ["phone", "email"] },
    phone: { type: "string" },
    email: { type: "string" },
  },
  allOf: [{ anyOf: [{ required: ["phone"] }, { required: ["email"] }] }],
  if: { properties: { contactMethod: { const: "phone" } }, required: ["contactMethod"] },
  then: { required: ["phone"] },
  else: { required: ["email"] },
  additionalProperties: false,
};

const TOOLS = [
  ["test_simple_text", "Returns a simple text block", noArgs],
  ["test_image_content", "Returns an image block (PNG)", noArgs],
  ["test_audio_content", "Returns an audio block (WAV)", noArgs],
  ["test_embedded_resource", "Returns an embedded text resource", noArgs],
  ["test_multiple_content_types", "Returns text, image and resource blocks", noArgs],
  ["test_tool_with_logging", "Sends three log notifications while it runs", noArgs],
  ["test_tool_with_progress", "Sends three progress notifications while it runs", noArgs],
  ["test_error_handling", "Always returns an isError result", noArgs],
  ["test_sampling", "Asks the client to sample a message", { type: "object", properties: { prompt: { type: "string", description: "Prompt for the LLM" } }, required: ["prompt"] }],
  ["test_elicitation", "Asks the client for user input", { type: "object", properties: { message: { type: "string", description: "Message shown to the user" } }, required: ["message"] }],
  ["test_elicitation_sep1034_defaults", "Elicitation whose schema has default values (SEP-1034)", noArgs],
  ["test_elicitation_sep1330_enums", "Elicitation whose schema has every enum form (SEP-1330)", noArgs],
  ["json_schema_2020_12_tool", "Tool whose input schema uses JSON Schema 2020-12 features", JSON_SCHEMA_2020_12],
].map(([name, description, inputSchema]) => ({ name, description, inputSchema }));

const RESOURCES = [
  { uri: "test://static-text", name: "static-text", description: "A static text resource", mimeType: "text/plain" },
  { uri: "test://static-binary", name: "static-binary", description: "A static binary resource (PNG)", mimeType: "image/png" },
  { uri: "test://watched-resource", name: "watched-resource", description: "A resource that can be subscribed to", mimeType: "text/plain" },
];
const TEMPLATES = [
  { uriTemplate: "test://template/{id}/data", name: "template-data", description: "Data for an id", mimeType: "application/json" },
];
const PROMPTS = [
  { name: "test_simple_prompt", description: "A prompt without arguments" },
  {
    name: "test_prompt_with_arguments",
    description: "A prompt with two required arguments",
    arguments: [
      { name: "arg1", description: "First argument", required: true },
      { name: "arg2", description: "Second argument", required: true },
    ],
  },
  {
    name: "test_prompt_with_embedded_resource",
    description: "A prompt that embeds a resource",
    arguments: [{ name: "resourceUri", description: "URI of the resource to embed", required: true }],
  },
  { name: "test_prompt_with_image", description: "A prompt with an image" },
];

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const text = (t) => ({ content: [{ type: "text", text: t }] });

/** `modern`: the server answers a 2026-07-28 request and offers the input_required, tasks and header diagnostics too. */
function makeServer({ modern = false } = {}) {
  const server = new Server(
    { name: "mcp-portcullis-conformance-target", version: "1.0.0" },
    {
      capabilities: {
        tools: { listChanged: true },
        resources: { subscribe: true, listChanged: true },
        prompts: { listChanged: true },
        logging: {},
        completions: {},
        ...(modern ? { extensions: { [TASKS_EXTENSION]: {} } } : {}),
      },
    },
  );
  if (modern) installTaskMethods(server);

  server.setRequestHandler("tools/list", async () => ({ tools: modern ? [...TOOLS, ...INPUT_REQUIRED_TOOLS, ...TASK_TOOLS, HEADER_TOOL] : TOOLS }));

  server.setRequestHandler("tools/call", async (request, ctx) => {
    const diagnostic = modern ? (callInputRequiredTool(request, ctx) ?? callTaskTool(request, ctx) ?? callHeaderTool(request)) : undefined;
    if (diagnostic !== undefined) return diagnostic;
    const args = request.params.arguments ?? {};
    const elicit = async (params) => {
      const answer = await ctx.mcpReq.send({ method: "elicitation/create", params });
      return text(`Elicitation completed: action=${answer.action}, content=${JSON.stringify(answer.content ?? {})}`);
    };
    switch (request.params.name) {
      case "test_simple_text":
        return text("This is a simple text response for testing.");
      case "test_image_content":
        return { content: [{ type: "image", data: PNG, mimeType: "image/png" }] };
      case "test_audio_content":
        return { content: [{ type: "audio", data: WAV, mimeType: "audio/wav" }] };
      case "test_embedded_resource":
        return {
          content: [
            { type: "resource", resource: { uri: "test://embedded-resource", mimeType: "text/plain", text: "This is an embedded resource content." } },
          ],
        };
      case "test_multiple_content_types":
        return {
          content: [
            { type: "text", text: "Multiple content types test:" },
            { type: "image", data: PNG, mimeType: "image/png" },
            { type: "resource", resource: { uri: "test://mixed-content-resource", mimeType: "application/json", text: '{"test":"data","value":123}' } },
          ],
        };
      case "test_tool_with_logging": {
        const messages = ["Tool execution started", "Tool processing data", "Tool execution completed"];
        for (const [i, message] of messages.entries()) {
          if (i > 0) await sleep(50);
          await ctx.mcpReq.log("info", message);
        }
        return text("Tool with logging executed successfully");
      }
      case "test_tool_with_progress": {
        const progressToken = ctx.mcpReq._meta?.progressToken;
        for (const progress of [0, 50, 100]) {
          if (progress > 0) await sleep(50);
          if (progressToken !== undefined) {
            await ctx.mcpReq.notify({ method: "notifications/progress", params: { progressToken, progress, total: 100, message: `Completed step ${progress}/100` } });
          }
        }
        return text(String(progressToken));
      }
      case "test_error_handling":
        return { isError: true, content: [{ type: "text", text: "This tool intentionally returns an error for testing" }] };
      case "test_sampling": {
        const answer = await ctx.mcpReq.send({
          method: "sampling/createMessage",
          params: { messages: [{ role: "user", content: { type: "text", text: String(args.prompt ?? "") } }], maxTokens: 100 },
        });
        const content = Array.isArray(answer.content) ? answer.content[0] : answer.content;
        return text(`LLM response: ${content?.text ?? JSON.stringify(answer.content)}`);
      }
      case "test_elicitation":
        return elicit({
          message: String(args.message ?? "Please provide your information"),
          requestedSchema: {
            type: "object",
            properties: {
              username: { type: "string", description: "User's response" },
              email: { type: "string", description: "User's email address" },
            },
            required: ["username", "email"],
          },
        });
      case "test_elicitation_sep1034_defaults":
        return elicit({
          message: "Please review and update the form fields with defaults",
          requestedSchema: {
            type: "object",
            properties: {
              name: { type: "string", description: "User name", default: "John Doe" },
              age: { type: "integer", description: "User age", default: 30 },
              score: { type: "number", description: "User score", default: 95.5 },
              status: { type: "string", description: "User status", enum: ["active", "inactive", "pending"], default: "active" },
              verified: { type: "boolean", description: "Verification status", default: true },
            },
            required: [],
          },
        });
      case "test_elicitation_sep1330_enums":
        return elicit({
          message: "Please select options from the enum fields",
          requestedSchema: {
            type: "object",
            properties: {
              untitledSingle: { type: "string", description: "Untitled single-select", enum: ["option1", "option2", "option3"] },
              titledSingle: {
                type: "string",
                description: "Titled single-select",
                oneOf: [
                  { const: "value1", title: "First Option" },
                  { const: "value2", title: "Second Option" },
                  { const: "value3", title: "Third Option" },
                ],
              },
              legacyEnum: {
                type: "string",
                description: "Legacy titled enum",
                enum: ["opt1", "opt2", "opt3"],
                enumNames: ["Option One", "Option Two", "Option Three"],
              },
              untitledMulti: {
                type: "array",
                description: "Untitled multi-select",
                minItems: 1,
                maxItems: 3,
                items: { type: "string", enum: ["option1", "option2", "option3"] },
              },
              titledMulti: {
                type: "array",
                description: "Titled multi-select",
                minItems: 1,
                maxItems: 3,
                items: {
                  anyOf: [
                    { const: "value1", title: "First Choice" },
                    { const: "value2", title: "Second Choice" },
                    { const: "value3", title: "Third Choice" },
                  ],
                },
              },
            },
            required: [],
          },
        });
      case "json_schema_2020_12_tool":
        return text(`JSON Schema 2020-12 tool called with ${JSON.stringify(args)}`);
      default:
        throw new ProtocolError(-32602, `Unknown tool: ${request.params.name}`);
    }
  });

  server.setRequestHandler("resources/list", async () => ({ resources: RESOURCES }));
  server.setRequestHandler("resources/templates/list", async () => ({ resourceTemplates: TEMPLATES }));
  server.setRequestHandler("resources/read", async (request) => {
    const uri = request.params.uri;
    if (uri === "test://static-text") {
      return { contents: [{ uri, mimeType: "text/plain", text: "This is the content of the static text resource." }] };
    }
    if (uri === "test://static-binary") return { contents: [{ uri, mimeType: "image/png", blob: PNG }] };
    if (uri === "test://watched-resource") return { contents: [{ uri, mimeType: "text/plain", text: "Watched resource content." }] };
    const match = /^test:\/\/template\/([^/]+)\/data$/.exec(uri);
    if (match) {
      const id = match[1];
      return { contents: [{ uri, mimeType: "application/json", text: JSON.stringify({ id, templateTest: true, data: `Data for ID: ${id}` }) }] };
    }
    throw new ProtocolError(-32002, `Resource not found: ${uri}`, { uri });
  });
  server.setRequestHandler("resources/subscribe", async () => ({}));
  server.setRequestHandler("resources/unsubscribe", async () => ({}));

  server.setRequestHandler("prompts/list", async () => ({ prompts: modern ? [...PROMPTS, INPUT_REQUIRED_PROMPT] : PROMPTS }));
  server.setRequestHandler("prompts/get", async (request, ctx) => {
    if (modern && request.params.name === INPUT_REQUIRED_PROMPT.name) return getInputRequiredPrompt(ctx);
    const args = request.params.arguments ?? {};
    const user = (content) => ({ role: "user", content });
    switch (request.params.name) {
      case "test_simple_prompt":
        return { messages: [user({ type: "text", text: "This is a simple prompt for testing." })] };
      case "test_prompt_with_arguments":
        return { messages: [user({ type: "text", text: `Prompt with arguments: arg1='${args.arg1}', arg2='${args.arg2}'` })] };
      case "test_prompt_with_embedded_resource":
        return {
          messages: [
            user({ type: "resource", resource: { uri: String(args.resourceUri ?? "test://example-resource"), mimeType: "text/plain", text: "Embedded resource content for testing." } }),
            user({ type: "text", text: "Please process the embedded resource above." }),
          ],
        };
      case "test_prompt_with_image":
        return { messages: [user({ type: "image", data: PNG, mimeType: "image/png" }), user({ type: "text", text: "Please analyze the image above." })] };
      default:
        throw new ProtocolError(-32602, `Unknown prompt: ${request.params.name}`);
    }
  });

  server.setRequestHandler("completion/complete", async () => ({ completion: { values: [], total: 0, hasMore: false } }));
  return server;
}

// --- HTTP: one Streamable HTTP endpoint at /mcp, stateful, localhost-only Host and Origin. ---

const sessions = new Map(); // Mcp-Session-Id -> transport
const validHost = localhostHostValidation();
const validOrigin = localhostOriginValidation();

function jsonError(res, status, code, message) {
  if (res.headersSent) return void res.end();
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify({ jsonrpc: "2.0", error: { code, message }, id: null }));
}

/** Stateless 2026-07-28 serving: one Server from the same factory per request. */
const modern = toNodeHandler(createMcpHandler(() => makeServer({ modern: true }), { legacy: "reject" }));

/** A POST without a session is read once here: a modern one (its `_meta` claims a version) is served statelessly. */
async function readModern(req) {
  if (req.method !== "POST" || req.headers["mcp-session-id"] !== undefined) return { modern: false, body: undefined };
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  let body;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    return { modern: false, body: undefined, unparsable: true };
  }
  // The SDK's own era predicate (body first, then the MCP-Protocol-Version header): a request it
  // would refuse as malformed 2026-07-28 (an envelope missing a key, `initialize` with a modern
  // claim) goes to the modern handler too, which answers it with the spec's error and the
  // request's id instead of the legacy "not initialized".
  const header = (name) => (typeof req.headers[name] === "string" ? req.headers[name] : undefined);
  const route = classifyInboundRequest({
    httpMethod: "POST",
    body,
    protocolVersionHeader: header("mcp-protocol-version"),
    mcpMethodHeader: header("mcp-method"),
    mcpNameHeader: header("mcp-name"),
  });
  return { modern: route.kind !== "legacy", body };
}

const httpServer = createServer(async (req, res) => {
  try {
    if (!validHost(req, res) || !validOrigin(req, res)) return;
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    if (path !== "/mcp") return jsonError(res, 404, -32000, `Not found: ${path}`);
    const read = await readModern(req);
    if (read.unparsable) return jsonError(res, 400, -32700, "Parse error");
    if (read.modern) {
      const mismatch = customHeaderMismatch(read.body, req.headers);
      if (mismatch !== undefined) return void res.writeHead(400, { "content-type": "application/json" }).end(JSON.stringify(mismatch));
      return void (await modern(req, res, read.body));
    }
    const sessionId = req.headers["mcp-session-id"];
    let transport = typeof sessionId === "string" ? sessions.get(sessionId) : undefined;
    if (sessionId !== undefined && transport === undefined) return jsonError(res, 404, -32001, "Session not found");
    if (transport === undefined) {
      const fresh = new NodeStreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (id) => sessions.set(id, fresh),
        onsessionclosed: (id) => sessions.delete(id),
      });
      fresh.onclose = () => {
        if (fresh.sessionId !== undefined) sessions.delete(fresh.sessionId);
      };
      await makeServer().connect(fresh);
      transport = fresh;
    }
    await transport.handleRequest(req, res, read.body);
  } catch (error) {
    console.error("conformance target: request failed:", error);
    jsonError(res, 500, -32603, "Internal error");
  }
});

const cliArgs = process.argv.slice(2);
const exitWithStdin = cliArgs.includes("--exit-with-stdin");
const portArg = cliArgs.find((a) => !a.startsWith("--")) ?? process.env.CONFORMANCE_TARGET_PORT ?? process.env.PORT ?? "0";
const port = Number(portArg);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`conformance target: bad port ${JSON.stringify(portArg)}`);
  process.exit(2);
}

let stopping = false;
async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  const hardStop = setTimeout(() => process.exit(code), 2_000);
  hardStop.unref();
  for (const transport of sessions.values()) await transport.close().catch(() => {});
  httpServer.closeAllConnections?.();
  httpServer.close(() => process.exit(code));
}
process.on("SIGTERM", () => void shutdown(0));
process.on("SIGINT", () => void shutdown(0));
if (exitWithStdin) {
  process.stdin.on("end", () => void shutdown(0));
  process.stdin.on("error", () => void shutdown(0));
  process.stdin.resume();
}

httpServer.on("error", (error) => {
  console.error(`conformance target: ${error.message}`);
  process.exit(1);
});
httpServer.listen(port, "127.0.0.1", () => {
  const address = httpServer.address();
  process.stdout.write(`conformance target: serving at http://127.0.0.1:${address.port}/mcp\n`);
});
