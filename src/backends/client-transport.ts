import { SSEClientTransport, StreamableHTTPClientTransport, type Transport } from "@modelcontextprotocol/client";
import { type BackendSpec, reveal, type Revealable } from "./backend-spec.js";
import { ChildStdioTransport } from "./child-stdio-transport.js";

function revealAll(map: Readonly<Record<string, Revealable>>): Record<string, string> {
  return Object.fromEntries(Object.entries(map).map(([k, v]) => [k, reveal(v)]));
}

/**
 * Builds the client transport for one upstream session; secrets are revealed here and only here.
 * A stdio child's stderr lines go to `onStderr` (the log), never into the protocol.
 */
export function createBackendTransport(backend: BackendSpec, onStderr: (line: string) => void): Transport {
  if (backend.transport === "stdio") {
    // Only allow-listed variables reach the child: the proxy's own secrets stay in the proxy.
    const env: Record<string, string> = {};
    for (const name of backend.inheritEnv) {
      const value = process.env[name];
      if (value !== undefined) env[name] = value;
    }
    Object.assign(env, revealAll(backend.env));
    return new ChildStdioTransport({ command: backend.command, args: backend.args, env, cwd: backend.cwd, onStderr });
  }
  const requestInit: RequestInit = { headers: revealAll(backend.headers) };
  const url = new URL(backend.url);
  return backend.transport === "http" ? new StreamableHTTPClientTransport(url, { requestInit }) : new SSEClientTransport(url, { requestInit });
}
