import type { ConfigContext } from "./load-config.js";
import type { ProxyConfig } from "./schema/index.js";

/** A config written as a function, for values that depend on the environment or the config's folder. */
export type ProxyConfigFunction = (context: ConfigContext) => ProxyConfig | Promise<ProxyConfig>;

/**
 * Gives a config file editor completion and compile errors for every field.
 * It is an identity function: all checking and defaulting happens when the proxy loads the file.
 *
 * @example
 * ```ts
 * import { defineProxy } from "mcp-portcullis";
 *
 * export default defineProxy({
 *   version: 1,
 *   backends: { memory: { transport: "stdio", command: "mcp-server-memory" } },
 * });
 * ```
 *
 * @example
 * ```ts
 * export default defineProxy(async ({ env }) => ({
 *   version: 1,
 *   backends: { crm: { transport: "http", url: env.CRM_URL ?? "http://127.0.0.1:9000/mcp" } },
 * }));
 * ```
 */
export function defineProxy(config: ProxyConfigFunction): ProxyConfigFunction;
export function defineProxy(config: ProxyConfig): ProxyConfig;
export function defineProxy(config: ProxyConfig | ProxyConfigFunction): ProxyConfig | ProxyConfigFunction {
  return config;
}
