export { ConfigError, ConfigNotFoundError, type ConfigIssue } from "./config-issue.js";
export { defineProxy, type ProxyConfigFunction } from "./define-proxy.js";
export { loadConfig, validateConfig, type ConfigContext, type LoadConfigOptions, type LoadedConfig } from "./load-config.js";
export { SEARCH_PLACES } from "./load.js";
export type * from "./resolved-types.js";
export { Secret, revealValue, type SecretOrString } from "./secret.js";
export { CONFIG_FORMAT_VERSION, ProxyConfigSchema, renderJsonSchema, type ProxyConfig } from "./schema/index.js";
export type * from "./schema/index.js";
