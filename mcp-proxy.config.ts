import { defineProxy } from "mcp-portcullis";

/**
 * The default gateway: three reference MCP servers from npm behind one loopback endpoint.
 * `npm start` runs it; `npx mcp-proxy validate` checks it.
 *
 * Servers are started with this very Node binary and their installed entry files, so the
 * gateway runs the same way through `npm start`, `node bin/mcp-proxy.js` or a global install.
 */
export default defineProxy(({ configDir }) => {
  const server = (pkg: string) => `${configDir}/node_modules/@modelcontextprotocol/${pkg}/dist/index.js`;
  return {
    $schema: "./schema/mcp-proxy.schema.json",
    version: 1,
    backends: {
      everything: { transport: "stdio", command: process.execPath, args: [server("server-everything"), "stdio"] },
      files: { transport: "stdio", command: process.execPath, args: [server("server-filesystem"), "./demo/files"] },
      memory: {
        transport: "stdio",
        command: process.execPath,
        args: [server("server-memory")],
        env: { MEMORY_FILE_PATH: `${configDir}/.tmp/memory.jsonl` },
      },
    },
    bindings: [{ transport: "http", host: "127.0.0.1", port: 8080, path: "/mcp" }],
    naming: { prefix: "always", separator: "__" },
  };
});
