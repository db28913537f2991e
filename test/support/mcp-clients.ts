import { readFileSync } from "node:fs";
import { spawn } from "node:child_process";
import { Client, SSEClientTransport, StreamableHTTPClientTransport, type Transport } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { REPO_ROOT } from "./cli.js";
import { proxyCommand } from "./proxy-process.js";

export const SERVERS = {
  everything: `${REPO_ROOT}node_modules/@modelcontextprotocol/server-everything/dist/index.js`,
  memory: `${REPO_ROOT}node_modules/@modelcontextprotocol/server-memory/dist/index.js`,
  recorder: `${REPO_ROOT}test/support/servers/recorder-server.mjs`,
  misbehaving: `${REPO_ROOT}test/support/servers/misbehaving-server.mjs`,
  misbehavingHttp: `${REPO_ROOT}test/support/servers/misbehaving-http-server.mjs`,
  flood: `${REPO_ROOT}test/support/servers/flood-server.mjs`,
  modern: `${REPO_ROOT}test/support/servers/modern-server.mjs`,
  preInit: `${REPO_ROOT}test/support/servers/pre-init-server.mjs`,
};

export type BindingKind = "http" | "sse" | "stdio";

export interface TestClient {
  readonly client: Client;
  readonly notifications: string[];
  /** Ends the session the way a well-behaved HTTP client does (DELETE), then closes. */
  terminate(): Promise<void>;
  close(): Promise<void>;
}

export interface ClientOptions {
  readonly name?: string;
  readonly sampleAs?: string;
  readonly elicitAnswer?: string;
  /** How long the (simulated) person takes to answer an elicitation. */
  readonly elicitDelayMs?: number;
  /** Sent as `Authorization: Bearer <token>` on every HTTP request (streamable and SSE). */
  readonly token?: string;
}

/** A real MCP client (official SDK v2) connected to the proxy over the given binding. */
export async function connectClient(kind: BindingKind, target: { url?: string; sseUrl?: string; configFile?: string }, options: ClientOptions = {}): Promise<TestClient> {
  const capabilities: Record<string, unknown> = {};
  if (options.sampleAs) capabilities.sampling = {};
  if (options.elicitAnswer) capabilities.elicitation = { form: {} };
  const client = new Client({ name: options.name ?? "test-client", version: "1.0.0" }, { capabilities: capabilities as never });
  const notifications: string[] = [];
  for (const method of ["notifications/tools/list_changed", "notifications/prompts/list_changed", "notifications/resources/list_changed"] as const) {
    client.setNotificationHandler(method, () => void notifications.push(method));
  }
  if (options.sampleAs) {
    client.setRequestHandler("sampling/createMessage", async () => ({ model: "test-model", role: "assistant", content: { type: "text", text: options.sampleAs! } }));
  }
  if (options.elicitAnswer) {
    client.setRequestHandler("elicitation/create", async () => {
      await new Promise((r) => setTimeout(r, options.elicitDelayMs ?? 0));
      return { action: "accept", content: { answer: options.elicitAnswer! } };
    });
  }
  let transport: Transport;
  const requestInit = options.token ? { headers: { authorization: `Bearer ${options.token}` } } : undefined;
  if (kind === "http") transport = new StreamableHTTPClientTransport(new URL(target.url!), { requestInit });
  else if (kind === "sse") transport = new SSEClientTransport(new URL(target.sseUrl!), { requestInit });
  else transport = new StdioClientTransport({ ...proxyCommand(target.configFile!), stderr: "pipe" });
  await client.connect(transport, { timeout: 30_000 });
  const terminate = async () => {
    if (transport instanceof StreamableHTTPClientTransport) await transport.terminateSession();
    await client.close();
  };
  return { client, notifications, terminate, close: () => client.close() };
}

/** Starts the recorder server in HTTP mode and returns its URL and a stop function. */
export function startHttpRecorder(name: string, port = 0): Promise<{ url: string; stop(): void }> {
  return startHttpServer(SERVERS.recorder, ["http", name, String(port)]);
}

/** Starts a test server script that prints its URL on stdout; returns the URL and a stop function. */
export async function startHttpServer(script: string, args: string[]): Promise<{ url: string; stop(): void }> {
  const child = spawn(process.execPath, [script, ...args], { stdio: ["ignore", "pipe", "inherit"] });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("recorder did not start")), 10_000);
    child.stdout!.once("data", (d: Buffer) => {
      clearTimeout(timer);
      resolve(d.toString().trim());
    });
  });
  return { url, stop: () => void child.kill() };
}

/** Polls until `check` passes or the time is up; returns whether it passed. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 10_000, everyMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  return check();
}

export function textOf(result: unknown): string {
  return ((result as { content?: Array<{ text?: string }> }).content ?? []).map((c) => c.text ?? "").join("");
}

/**
 * Whether a process (a backend child, say) is still running. A zombie is not: it has exited and
 * only waits for its parent, or for the init process when orphaned, to collect its status,
 * which a container's init may do late; `kill(pid, 0)` alone counts it as alive.
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // /proc/PID/stat: "pid (comm) S ...", comm may hold spaces and parentheses.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return process.platform !== "linux";
  }
}

/** A stdio backend running the recorder server under a name. */
export function recorderBackend(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { transport: "stdio", command: process.execPath, args: [SERVERS.recorder, "stdio", name], ...extra };
}

/** The JSON-RPC error a client got for a call that must be refused (fails the test when it was not). */
export async function refusal(call: Promise<unknown>): Promise<{ code: number; message: string; data?: Record<string, unknown> }> {
  try {
    await call;
  } catch (error) {
    const e = error as { code: number; message: string; data?: Record<string, unknown> };
    return { code: e.code, message: e.message, ...(e.data === undefined ? {} : { data: e.data }) };
  }
  throw new Error("the call was not refused");
}
