import type { Result } from "@modelcontextprotocol/client";
import { canonicalJson, META, MODERN_VERSIONS } from "../core/era.js";
import { type ParamHeader, paramHeadersFor, paramHeadersOf } from "../core/param-headers.js";
import type { BackendSpec } from "./backend-spec.js";

/** Which era the proxy speaks with a backend: `auto` probes with server/discover, the others pin one. */
export type BackendEra = "auto" | "legacy" | "modern";

/** Longest wait for a server/discover answer in auto mode: over stdio, silence means a legacy server, and start-up waits that long. */
const PROBE_TIMEOUT_MS = 5_000;

/** The SDK client's negotiation setting for an era; undefined keeps the plain legacy handshake. */
export function versionNegotiationFor(era: BackendEra | undefined, startupMs: number): { mode: "auto" | { pin: string }; probe?: { timeoutMs: number } } | undefined {
  if (era === "modern") return { mode: { pin: MODERN_VERSIONS[0]! } };
  if (era === "auto") return { mode: "auto", probe: { timeoutMs: Math.min(PROBE_TIMEOUT_MS, startupMs) } };
  return undefined;
}

/**
 * The discover result (or legacy verdict) of each backend, kept for the process: a per-client
 * backend is connected once per client, and probing it every time would double the round
 * trips (and, over stdio, spawn a sibling process each time). Keyed by everything that
 * reaches the backend, so a changed config probes again.
 */
const verdicts = new Map<string, { kind: "modern"; discover: Record<string, unknown> } | { kind: "legacy" }>();

const keyOf = (backend: BackendSpec): string =>
  canonicalJson(backend.transport === "stdio" ? { name: backend.name, command: backend.command, args: backend.args, cwd: backend.cwd } : { name: backend.name, url: backend.url });

export function priorVerdict(backend: BackendSpec): { prior: never } | Record<string, never> {
  const verdict = verdicts.get(keyOf(backend));
  return verdict ? ({ prior: verdict } as never) : {};
}

export function rememberVerdict(backend: BackendSpec, discover: Record<string, unknown> | undefined): void {
  verdicts.set(keyOf(backend), discover ? { kind: "modern", discover } : { kind: "legacy" });
}

/** The per-request envelope a modern backend needs: who the proxy's client is and what it can do. */
export function withEnvelope(params: Record<string, unknown> | undefined, clientInfo: unknown, capabilities: unknown): Record<string, unknown> {
  const meta = { ...(params?._meta as Record<string, unknown> | undefined), [META.protocolVersion]: MODERN_VERSIONS[0], [META.clientInfo]: clientInfo, [META.clientCapabilities]: capabilities };
  return { ...params, _meta: meta };
}

/**
 * The `x-mcp-header` marks of a modern HTTP backend's tools, learnt from its tools/list, so the
 * proxy's tools/call to it carries the `Mcp-Param-*` headers the backend checks (SEP-2243),
 * as the SDK's own client does from its cached listing. A call to a tool not listed yet goes
 * without them; the backend's -32020 is then passed on.
 */
export class ParamHeaderBook {
  readonly #byTool = new Map<string, ParamHeader[]>();

  learn(result: Result): void {
    const tools = Array.isArray(result.tools) ? (result.tools as Record<string, unknown>[]) : [];
    for (const tool of tools) {
      if (typeof tool?.name !== "string") continue;
      const marks = paramHeadersOf(tool.inputSchema);
      if (marks.length > 0) this.#byTool.set(tool.name, marks);
      else this.#byTool.delete(tool.name);
    }
  }

  headersFor(params: Record<string, unknown> | undefined): Record<string, string> | undefined {
    const marks = typeof params?.name === "string" ? this.#byTool.get(params.name) : undefined;
    if (!marks) return undefined;
    const headers = paramHeadersFor(marks, params?.arguments);
    return Object.keys(headers).length > 0 ? headers : undefined;
  }
}
