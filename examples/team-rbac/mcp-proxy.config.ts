import { defineProxy } from "mcp-portcullis";
import { isAdmin, isEngineer } from "./roles.js";

export default defineProxy(({ configDir }) => ({
  version: 1,
  backends: {
    github: { transport: "http", url: "http://127.0.0.1:9201/mcp", headers: { Authorization: { file: "./secrets/github-mcp.token" } } },
    db: { transport: "stdio", command: "./bin/db-mcp", cwd: configDir, exclude: ["drop_*"] },
  },
  auth: {
    type: "bearer",
    tokens: [
      // In production these usually come from the environment: { env: "ALICE_TOKEN" }.
      { token: { file: "./secrets/alice.token" }, subject: "alice", roles: ["admin"] },
      { token: { file: "./secrets/bob.token" }, subject: "bob" },
    ],
  },
  routes: [
    { backend: "db", kind: "tool", name: "query", rename: "sql_query", description: "Read-only SQL over the reporting replica." },
    { backend: "github", kind: "tool", name: "delete_repository", hide: true },
  ],
  policies: {
    default: "deny",
    rules: [
      { name: "engineers-use-github", effect: "allow", match: { backends: ["github"] }, when: isEngineer },
      { name: "admins-query-db", effect: "allow", match: { names: ["sql_query"] }, when: isAdmin },
      {
        name: "no-bulk-export",
        effect: "deny",
        actions: ["call"],
        match: { names: ["sql_query"] },
        when: { ">": [{ var: "request.arguments.limit" }, 1000] },
      },
    ],
  },
  audit: { sink: "file", file: "./audit/mcp-audit.log", includeArguments: false },
}));
