// A small stdio MCP server (v1 SDK) whose answers change on every call, so tests can tell a
// cached answer from a fresh one:
//   node counter-server.mjs
// Tools: count (a counter, with COUNTER_PLANT in its text), private-count (the same, marked
// cacheScope "private"), failing-count (an isError result), slow (waits ms), hang-while (hangs
// while the file COUNTER_HANG_WHILE exists, else answers "ok": a backend that is down until an
// operator fixes it), change-tools (announces tools list_changed), touch (announces
// resources/updated for counter://value). Resource counter://value reads the counter too.
import { existsSync } from "node:fs";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { CallToolRequestSchema, ListResourcesRequestSchema, ListToolsRequestSchema, ReadResourceRequestSchema } from "@modelcontextprotocol/sdk/types.js";

let counter = 0;
const plant = process.env.COUNTER_PLANT ?? "nothing-planted";
const text = (t) => ({ content: [{ type: "text", text: t }] });
const obj = { type: "object", properties: {} };
const tools = ["count", "private-count", "failing-count", "slow", "hang-while", "change-tools", "touch"].map((name) => ({
  name,
  description: `counter server: ${name}`,
  inputSchema: name === "slow" ? { type: "object", properties: { ms: { type: "number" } } } : { ...obj, properties: { label: { type: "string" } } },
}));

const server = new Server({ name: "counter", version: "1.0.0" }, { capabilities: { tools: { listChanged: true }, resources: {} } });
server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools }));
server.setRequestHandler(CallToolRequestSchema, async (request) => {
  const args = request.params.arguments ?? {};
  switch (request.params.name) {
    case "count":
      return text(`call ${++counter} ${args.label ?? ""} key ${plant}`.trim());
    case "private-count":
      return { ...text(`call ${++counter}`), _meta: { cacheScope: "private" } };
    case "failing-count":
      return { ...text(`failure ${++counter}`), isError: true };
    case "slow":
      await new Promise((resolve) => setTimeout(resolve, Number(args.ms ?? 500)));
      return text(`slow ${++counter}`);
    case "hang-while":
      if (process.env.COUNTER_HANG_WHILE && existsSync(process.env.COUNTER_HANG_WHILE)) return new Promise(() => undefined);
      return text("ok");
    case "change-tools":
      await server.sendToolListChanged();
      return text("changed");
    case "touch":
      await server.sendResourceUpdated({ uri: "counter://value" });
      return text("touched");
    default: {
      const e = new Error(`Unknown tool: ${request.params.name}`);
      e.code = -32602;
      throw e;
    }
  }
});
server.setRequestHandler(ListResourcesRequestSchema, async () => ({ resources: [{ uri: "counter://value", name: "value", mimeType: "text/plain" }] }));
server.setRequestHandler(ReadResourceRequestSchema, async (request) => ({ contents: [{ uri: request.params.uri, mimeType: "text/plain", text: `value ${++counter}` }] }));
await server.connect(new StdioServerTransport());
