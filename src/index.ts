/**
 * mcp-portcullis: a declarative MCP gateway.
 *
 * The package root exports what a config file and an embedding program need:
 * `defineProxy` for typed configs, the config types, and the loader.
 */
export * from "./config/index.js";
