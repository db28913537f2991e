import { defineProxy } from "mcp-portcullis";

/**
 * The default gateway: three reference MCP servers from npm behind one loopback endpoint.
 * `npm start` runs it; `npm run validate` checks it.
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
      // One knowledge graph for every client, on purpose: server-memory keeps its graph in the one
      // file MEMORY_FILE_PATH names, so per-client children would read and overwrite each other's
      // entities anyway (and race on the file). Shared says so, and runs one child. The file sits in
      // demo/, which a fresh clone has (git keeps no empty .tmp/), and is ignored by git.
      memory: {
        transport: "stdio",
        command: process.execPath,
        args: [server("server-memory")],
        env: { MEMORY_FILE_PATH: `${configDir}/demo/memory.jsonl` },
        session: "shared",
      },
    },
    bindings: [{ transport: "http", host: "127.0.0.1", port: 8080, path: "/mcp" }],
    naming: { prefix: "always", separator: "__" },
  };
});
