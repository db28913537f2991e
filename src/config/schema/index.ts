import { Type, type Static } from "@sinclair/typebox";
import { State } from "./backend-auth.js";
import { Backends } from "./backends.js";
import { Bindings } from "./bindings.js";
import { Cache } from "./capacity.js";
import { strictObject } from "./common.js";
import { Interceptors } from "./interceptors.js";
import { Audit, Limits, Logging, Reload } from "./operations.js";
import { Admin, Tracing } from "./observability.js";
import { Protocol } from "./protocol.js";
import { Naming, Routes } from "./routing.js";
import { Auth, Filters, Policies } from "./security.js";

/** The newest config format. Older formats are migrated at load; newer ones are refused. */
export const CONFIG_FORMAT_VERSION = 1;
export const SCHEMA_ID = "https://mcp-portcullis.dev/schema/mcp-proxy.schema.json";

/** The single source of truth for the config shape: TypeScript types and `schema/` both come from here. */
export const ProxyConfigSchema = strictObject(
  {
    $schema: Type.Optional(Type.String({ description: "JSON Schema reference for editors; ignored by the proxy." })),
    version: Type.Literal(CONFIG_FORMAT_VERSION, { description: "Config format version. Lets later formats migrate old files." }),
    backends: Backends,
    bindings: Type.Optional(Bindings),
    naming: Type.Optional(Naming),
    routes: Type.Optional(Routes),
    auth: Type.Optional(Auth),
    policies: Type.Optional(Policies),
    filters: Type.Optional(Filters),
    limits: Type.Optional(Limits),
    cache: Type.Optional(Cache),
    audit: Type.Optional(Audit),
    reload: Type.Optional(Reload),
    logging: Type.Optional(Logging),
    admin: Type.Optional(Admin),
    tracing: Type.Optional(Tracing),
    state: Type.Optional(State),
    interceptors: Type.Optional(Interceptors),
    protocol: Type.Optional(Protocol),
  },
  "Configuration of an MCP gateway: backends, bindings, routing, policies, filters and operations.",
);

/** A config as a user writes it (in `mcp-proxy.config.ts`, JSON or YAML). */
export type ProxyConfig = Static<typeof ProxyConfigSchema>;

export type { Backend, HttpBackend, SseBackend, StdioBackend } from "./backends.js";
export type { BackendAuth, State } from "./backend-auth.js";
export type { Binding, HttpBinding } from "./bindings.js";
export type { Cache, CacheRule, ConcurrencyCap } from "./capacity.js";
export type { ItemKind, Match, SecretRef } from "./common.js";
export type { Limits } from "./operations.js";
export type { Naming, Route } from "./routing.js";
export type { CustomInterceptor } from "./interceptors.js";
export type { Auth, Filter, Policies, PolicyRule } from "./security.js";

/** The JSON Schema document published in `schema/`, with its draft and id. */
export function renderJsonSchema(): string {
  const document = { $schema: "https://json-schema.org/draft/2020-12/schema", $id: SCHEMA_ID, title: "mcp-proxy config", ...ProxyConfigSchema };
  return `${JSON.stringify(document, null, 2)}\n`;
}
