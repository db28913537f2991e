import { defineProxy } from "mcp-portcullis";

// The smallest useful gateway: one local server behind one loopback HTTP endpoint.
export default defineProxy({
  version: 1,
  backends: {
    memory: { transport: "stdio", command: "mcp-server-memory" },
  },
  bindings: [{ transport: "http", port: 8080 }],
});
