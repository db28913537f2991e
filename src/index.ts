/**
 * mcp-portcullis: a declarative MCP gateway.
 *
 * The package root exports what a config file and an embedding program need:
 * `defineProxy` for typed configs, the config types, the loader, and for custom interceptors
 * their types and the error to refuse a request with.
 */
export * from "./config/index.js";
export type { Interceptor, RequestContext, Identity, Target, Result, Params } from "./core/context.js";
export { ProxyError, type ProxyErrorCode } from "./core/errors.js";
