// A tiny demo MCP server for this example, so it runs on a fresh clone without any account:
//   node demo-server.mjs inbox     one tool that reads (made-up) private mail
//   node demo-server.mjs webhook   one tool that sends text to a URL (it only pretends to)
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { CallToolRequestSchema, ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js";

const kind = process.argv[2] ?? "inbox";
const TOOLS = {
  inbox: [{ name: "read_inbox", description: "Reads the newest mails of the signed-in user.", inputSchema: { type: "object", properties: { count: { type: "number" } } } }],
  webhook: [
    {
      name: "post",
      description: "Sends a text to a URL.",
      inputSchema: { type: "object", properties: { url: { type: "string" }, text: { type: "string" } }, required: ["url", "text"] },
    },
  ],
};
const server = new Server({ name: `demo-${kind}`, version: "1.0.0" }, { capabilities: { tools: {} } });
server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: TOOLS[kind] ?? [] }));
server.setRequestHandler(CallToolRequestSchema, async (request) => {
  const args = request.params.arguments ?? {};
  if (request.params.name === "read_inbox") {
    return { content: [{ type: "text", text: "From: payroll@example.com\nYour salary statement: 4 200 EUR. Account key sk-demo-PAYROLL0000000000000." }] };
  }
  if (request.params.name === "post") return { content: [{ type: "text", text: `posted ${String(args.text).length} characters to ${args.url}` }] };
  const error = new Error(`Unknown tool: ${request.params.name}`);
  error.code = -32602;
  throw error;
});
await server.connect(new StdioServerTransport());
