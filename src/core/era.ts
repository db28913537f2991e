/**
 * The two eras of MCP a request can belong to. Legacy (up to 2025-11-25) opens a session with
 * `initialize`; modern (2026-07-28) has no session and carries its protocol version, client
 * capabilities and client info in every request's `_meta`.
 */
export type Era = "legacy" | "modern";

/** The modern revisions this proxy serves. */
export const MODERN_VERSIONS: readonly string[] = ["2026-07-28"];

export const META = {
  protocolVersion: "io.modelcontextprotocol/protocolVersion",
  clientCapabilities: "io.modelcontextprotocol/clientCapabilities",
  clientInfo: "io.modelcontextprotocol/clientInfo",
  logLevel: "io.modelcontextprotocol/logLevel",
  serverInfo: "io.modelcontextprotocol/serverInfo",
  subscriptionId: "io.modelcontextprotocol/subscriptionId",
} as const;

/** What a modern request says about its sender, read from its `_meta` envelope. */
export interface ModernEnvelope {
  readonly protocolVersion: string;
  readonly clientCapabilities: Readonly<Record<string, unknown>>;
  readonly clientInfo: { readonly name: string; readonly version: string };
  readonly logLevel?: string;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * The envelope of a message that claims the modern era (its `_meta` names a protocol
 * version), or undefined for a legacy message. The spec tells the eras apart per request by
 * exactly this claim; `initialize` never carries it.
 */
export function modernEnvelope(message: unknown): ModernEnvelope | undefined {
  if (!isObject(message) || typeof message.method !== "string" || message.method === "initialize") return undefined;
  const meta = isObject(message.params) && isObject(message.params._meta) ? message.params._meta : undefined;
  const version = meta?.[META.protocolVersion];
  if (typeof version !== "string") return undefined;
  const info = meta![META.clientInfo];
  const level = meta![META.logLevel];
  return {
    protocolVersion: version,
    clientCapabilities: isObject(meta![META.clientCapabilities]) ? (meta![META.clientCapabilities] as Record<string, unknown>) : {},
    clientInfo: isObject(info) && typeof info.name === "string" ? { name: info.name, version: typeof info.version === "string" ? info.version : "0" } : { name: "unknown", version: "0" },
    ...(typeof level === "string" ? { logLevel: level } : {}),
  };
}

/** The params without the reserved envelope keys: backends get their own envelope, never the client's. */
export function withoutEnvelope(params: Record<string, unknown>): Record<string, unknown> {
  if (!isObject(params._meta)) return params;
  const meta = { ...params._meta };
  for (const key of [META.protocolVersion, META.clientCapabilities, META.clientInfo, META.logLevel]) delete meta[key];
  const { _meta: _drop, ...rest } = params;
  return Object.keys(meta).length ? { ...rest, _meta: meta } : rest;
}

/** JSON with sorted keys: the same value gives the same text whatever order its keys were written in. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const record = value as Record<string, unknown>;
    return `{${Object.keys(record).sort().filter((k) => record[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}
