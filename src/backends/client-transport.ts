import { SSEClientTransport, StreamableHTTPClientTransport, type Transport } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { revealValue, type ResolvedBackend, type SecretOrString } from "../config/index.js";

export interface BackendTransport {
  readonly transport: Transport;
  /** The child's stderr, for stdio backends: logged, never mixed into the protocol. */
  readonly stderr: { on(event: "data", listener: (chunk: Buffer) => void): unknown } | null;
}

function reveal(map: Readonly<Record<string, SecretOrString>>): Record<string, string> {
  return Object.fromEntries(Object.entries(map).map(([k, v]) => [k, revealValue(v)]));
}

/** Builds the client transport for one upstream session; secrets are revealed here and only here. */
export function createBackendTransport(backend: ResolvedBackend): BackendTransport {
  if (backend.transport === "stdio") {
    // Only allow-listed variables reach the child: the proxy's own secrets stay in the proxy.
    const env: Record<string, string> = {};
    for (const name of backend.inheritEnv) {
      const value = process.env[name];
      if (value !== undefined) env[name] = value;
    }
    Object.assign(env, reveal(backend.env));
    const transport = new StdioClientTransport({ command: backend.command, args: [...backend.args], env, cwd: backend.cwd, stderr: "pipe" });
    return { transport, stderr: transport.stderr };
  }
  const requestInit: RequestInit = { headers: reveal(backend.headers) };
  const url = new URL(backend.url);
  const transport = backend.transport === "http" ? new StreamableHTTPClientTransport(url, { requestInit }) : new SSEClientTransport(url, { requestInit });
  return { transport, stderr: null };
}
