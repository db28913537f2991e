import { SSEClientTransport, StreamableHTTPClientTransport, type Transport } from "@modelcontextprotocol/client";
import type { SkippedLine } from "../core/json-lines.js";
import { type BackendSpec, reveal, type Revealable } from "./backend-spec.js";
import { boundedFetch } from "./bounded-fetch.js";
import { ChildStdioTransport } from "./child-stdio-transport.js";
import { tracingFetch } from "./trace-context.js";
import { authorizedFetch } from "./credentials/authorized-fetch.js";
import type { CredentialSource } from "./credentials/types.js";

function revealAll(map: Readonly<Record<string, Revealable>>): Record<string, string> {
  return Object.fromEntries(Object.entries(map).map(([k, v]) => [k, reveal(v)]));
}

/** What a transport reports besides protocol messages. */
export interface TransportReports {
  /** A stdio child's stderr line: for the log, never the protocol. */
  stderr(line: string): void;
  /** Something the backend sent that is not a JSON-RPC message; already dropped. */
  invalid(message: unknown): void;
  /** A message over the backend's size limit; already skipped. */
  oversized(line: SkippedLine): void;
  /** Something the operator should know about how backends run here (once per process). */
  warning(line: string): void;
}

/**
 * Builds the client transport for one upstream session; secrets are revealed here and only
 * here. `credentials` (a backend with `auth`) puts the broker's bearer token on every request.
 */
export function createBackendTransport(backend: BackendSpec, reports: TransportReports, credentials?: CredentialSource): Transport {
  if (backend.transport === "stdio") {
    // Only allow-listed variables reach the child: the proxy's own secrets stay in the proxy.
    const env: Record<string, string> = {};
    for (const name of backend.inheritEnv) {
      const value = process.env[name];
      if (value !== undefined) env[name] = value;
    }
    Object.assign(env, revealAll(backend.env));
    return new ChildStdioTransport({
      command: backend.command,
      args: backend.args,
      env,
      cwd: backend.cwd,
      maxMessageBytes: backend.maxMessageBytes,
      onStderr: (line) => reports.stderr(line),
      onInvalid: (message) => reports.invalid(message),
      onOversized: (line) => reports.oversized(line),
      onUnsupervised: (why) => reports.warning(why),
    });
  }
  const requestInit: RequestInit = { headers: revealAll(backend.headers) };
  const url = new URL(backend.url);
  const withCredentials = (inner: typeof fetch) => (credentials ? authorizedFetch(inner, credentials, backend.url) : inner);
  return backend.transport === "http"
    ? new StreamableHTTPClientTransport(url, { requestInit, fetch: tracingFetch(withCredentials(boundedFetch(backend.maxMessageBytes))) })
    : new SSEClientTransport(url, { requestInit, fetch: tracingFetch(withCredentials(fetch)) });
}
