import { Client, type JSONRPCRequest, type Result, type StandardSchemaV1 } from "@modelcontextprotocol/client";
import type { ResolvedBackend } from "../config/index.js";
import { ProxyError } from "../core/errors.js";
import { createBackendTransport } from "./client-transport.js";

/** Accepts any result as it came: the SDK's typed schemas would strip fields a backend sent. */
const RAW: StandardSchemaV1<unknown, Result> = {
  "~standard": { version: 1, vendor: "mcp-portcullis", validate: (value) => ({ value: value as Result }) },
};

export interface UpstreamEvents {
  /** A notification from the backend other than progress (which goes to the request that asked for it). */
  notification(method: string, params: Record<string, unknown> | undefined): void;
  /** A server→client request (sampling, elicitation, roots) to answer on the client's behalf. */
  request(request: JSONRPCRequest, signal: AbortSignal): Promise<Result>;
  /** The connection ended without us closing it (process died, server went away). */
  closed(reason: string): void;
  stderr(line: string): void;
}

export interface InitializeInfo {
  readonly protocolVersion: string;
  readonly capabilities: Record<string, unknown>;
  readonly serverInfo: Record<string, unknown>;
  readonly instructions: string | undefined;
}

export interface CallOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (params: Record<string, unknown>) => void;
}

/** One MCP session with one backend, over any transport, forwarding payloads untouched. */
export class UpstreamSession {
  readonly #client: Client;
  readonly #progress = new Map<string, (params: Record<string, unknown>) => void>();
  #nextToken = 0;
  #closing = false;
  #info: InitializeInfo | undefined;

  constructor(
    readonly backend: ResolvedBackend,
    clientInfo: { name: string; version: string },
    clientCapabilities: Record<string, unknown>,
    private readonly events: UpstreamEvents,
  ) {
    this.#client = new Client(clientInfo as never, { capabilities: clientCapabilities as never });
    this.#client.fallbackRequestHandler = (request, ctx) => this.events.request(request, ctx.mcpReq.signal);
    this.#client.fallbackNotificationHandler = async (n) => this.events.notification(n.method, n.params as Record<string, unknown> | undefined);
    // Our own progress handler: tokens are minted per upstream request, so two clients on a
    // shared session never see each other's progress, and none is dropped as "unknown".
    this.#client.setNotificationHandler("notifications/progress", (n) => {
      const params = n.params as Record<string, unknown>;
      this.#progress.get(String(params.progressToken))?.(params);
    });
  }

  get info(): InitializeInfo {
    if (!this.#info) throw new Error(`backend ${this.backend.name} is not connected`);
    return this.#info;
  }

  /** Connects and initializes within the backend's start-up timeout. */
  async connect(): Promise<InitializeInfo> {
    const { transport, stderr } = createBackendTransport(this.backend);
    let rawInit: Record<string, unknown> | undefined;
    // The SDK's parsed capabilities drop keys it does not know; keep the backend's own words.
    transport.onmessage = (message) => {
      const result = (message as { result?: Record<string, unknown> }).result;
      if (!rawInit && result && typeof result.protocolVersion === "string") rawInit = result;
    };
    stderr?.on("data", (chunk: Buffer) => {
      for (const line of chunk.toString("utf8").split("\n")) if (line.trim()) this.events.stderr(line);
    });
    this.#client.onclose = () => {
      if (!this.#closing) this.events.closed("connection closed");
    };
    try {
      await this.#client.connect(transport, { timeout: this.backend.timeouts.startupMs });
    } catch (error) {
      this.#closing = true;
      await this.#client.close().catch(() => undefined);
      throw new ProxyError("BACKEND_UNAVAILABLE", `backend "${this.backend.name}" failed to start: ${(error as Error).message}`, {
        backend: this.backend.name,
      });
    }
    this.#info = {
      protocolVersion: String(rawInit?.protocolVersion ?? this.#client.getNegotiatedProtocolVersion()),
      capabilities: (rawInit?.capabilities as Record<string, unknown>) ?? {},
      serverInfo: (rawInit?.serverInfo as Record<string, unknown>) ?? {},
      instructions: typeof rawInit?.instructions === "string" ? rawInit.instructions : undefined,
    };
    return this.#info;
  }

  /** Sends a request and returns the backend's result exactly as sent; errors keep their code and message. */
  async request(method: string, params: Record<string, unknown> | undefined, options: CallOptions = {}): Promise<Result> {
    let token: string | undefined;
    let outgoing = params;
    if (options.onProgress) {
      token = `${this.backend.name}-${++this.#nextToken}`;
      this.#progress.set(token, options.onProgress);
      outgoing = { ...params, _meta: { ...(params?._meta as object | undefined), progressToken: token } };
    }
    try {
      return await this.#client.request({ method, params: outgoing } as never, RAW, {
        signal: options.signal,
        timeout: this.backend.timeouts.callMs,
        resetTimeoutOnProgress: true,
      });
    } catch (error) {
      throw this.#translate(error, method);
    } finally {
      // A final progress notification can arrive in the same read as the response.
      if (token) setImmediate(() => this.#progress.delete(token));
    }
  }

  async notify(method: string, params?: Record<string, unknown>): Promise<void> {
    await this.#client.notification({ method, params } as never);
  }

  /** Every page of a list, in the backend's order. */
  async listAll(method: string, key: string): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 1000; page++) {
      const result = (await this.request(method, cursor === undefined ? {} : { cursor })) as Record<string, unknown>;
      items.push(...((result[key] as Record<string, unknown>[] | undefined) ?? []));
      cursor = typeof result.nextCursor === "string" && result.nextCursor !== "" ? result.nextCursor : undefined;
      if (cursor === undefined) return items;
    }
    throw new ProxyError("BACKEND_UNAVAILABLE", `backend "${this.backend.name}" paginates ${method} without end`, { backend: this.backend.name });
  }

  async close(): Promise<void> {
    this.#closing = true;
    await this.#client.close().catch(() => undefined);
  }

  #translate(error: unknown, method: string): unknown {
    const e = error as { code?: unknown; message?: string };
    if (typeof e?.code === "number") return error; // the backend's own JSON-RPC error, unchanged
    const name = this.backend.name;
    if (e?.code === "REQUEST_TIMEOUT" && !/abort/i.test(e.message ?? "")) {
      return new ProxyError("BACKEND_TIMEOUT", `backend "${name}" did not answer ${method} within ${this.backend.timeouts.callMs} ms`, { backend: name });
    }
    if (e?.code === "REQUEST_TIMEOUT") return error;
    return new ProxyError("BACKEND_UNAVAILABLE", `backend "${name}" is unavailable: ${e?.message ?? String(error)}`, { backend: name });
  }
}
