import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { RequestInfo } from "../core/context.js";
import { BodyTooLargeError, readBody, refuse } from "./http-errors.js";
import { LegacySseTransport } from "./legacy-sse-transport.js";
import { isMessage } from "./json-rpc-shape.js";
import { hostAllowed, originAllowed } from "./origin.js";
import type { SessionFactory, ServedSession } from "./session-factory.js";
import { StreamableHttpTransport } from "./streamable-http-transport.js";

/** What an HTTP binding serves; the runtime passes the resolved binding, which has this shape. */
export interface HttpBindingSettings {
  readonly host: string;
  readonly port: number;
  readonly path: string;
  readonly legacySse: boolean;
  readonly ssePath: string;
  readonly messagePath: string;
  readonly allowedOrigins: readonly string[];
}

interface Entry {
  readonly session: ServedSession;
  readonly streamable?: StreamableHttpTransport;
  readonly sse?: LegacySseTransport;
  lastSeen: number;
}

export interface HttpBindingOptions {
  readonly maxBodyBytes: number;
  readonly maxSessions: number;
  readonly idleMs: number;
}

/** Serves Streamable HTTP (and legacy SSE beside it) on one address, one session per client. */
export class HttpBinding {
  readonly #sessions = new Map<string, Entry>();
  readonly #server: HttpServer;
  /** How this binding is named in request info (audit, policies): its configured address. */
  readonly #name: string;
  #sweeper: NodeJS.Timeout | undefined;

  constructor(
    readonly config: HttpBindingSettings,
    private readonly options: HttpBindingOptions,
    private readonly sessions: SessionFactory,
  ) {
    this.#name = `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${config.port}${config.path}`;
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch((error: unknown) => {
        this.sessions.logger.error({ err: (error as Error).message }, "http request failed");
        refuse(res, 500, "INTERNAL", "internal error");
      });
    });
    // Keep-alive connections are what a busy client uses; do not cut them between calls.
    this.#server.keepAliveTimeout = 65_000;
  }

  /** The URLs this binding serves, once listening. */
  urls(): { streamable: string; sse?: string } {
    const address = this.#server.address() as AddressInfo;
    const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
    const base = `http://${host}:${address.port}`;
    return { streamable: `${base}${this.config.path}`, ...(this.config.legacySse ? { sse: `${base}${this.config.ssePath}` } : {}) };
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen(this.config.port, this.config.host, () => {
        this.#server.off("error", reject);
        resolve();
      });
    });
    if (this.options.idleMs > 0) {
      // A quarter of the idle time: a session is reclaimed at most 1.25 × idleMs after its client went.
      const sweepEvery = Math.max(1000, Math.min(60_000, this.options.idleMs / 4));
      this.#sweeper = setInterval(() => this.#sweep(), sweepEvery).unref();
    }
  }

  get sessionCount(): number {
    return this.#sessions.size;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!hostAllowed(req.headers.host, this.config.host)) return refuse(res, 403, "HOST_NOT_ALLOWED", "Forbidden: Host header is not a loopback name");
    if (!originAllowed(req.headers.origin, this.config.allowedOrigins)) return refuse(res, 403, "ORIGIN_NOT_ALLOWED", "Forbidden: Origin not allowed");
    const path = (req.url ?? "/").split("?")[0];
    if (path === this.config.path) return this.#streamable(req, res);
    if (this.config.legacySse && path === this.config.ssePath && req.method === "GET") return this.#openSse(req, res);
    if (this.config.legacySse && path === this.config.messagePath && req.method === "POST") return this.#postSse(req, res);
    refuse(res, 404, "NOT_FOUND", `Not found: ${path}`);
  }

  async #parse(req: IncomingMessage, res: ServerResponse): Promise<{ ok: true; body: unknown } | { ok: false }> {
    try {
      const raw = await readBody(req, this.options.maxBodyBytes);
      return { ok: true, body: JSON.parse(raw.toString("utf8")) };
    } catch (error) {
      if (error instanceof BodyTooLargeError) refuse(res, 413, "BODY_TOO_LARGE", `Request body exceeds ${this.options.maxBodyBytes} bytes`, { connection: "close" });
      else refuse(res, 400, "PARSE_ERROR", `Parse error: ${(error as Error).message}`);
      return { ok: false };
    }
  }

  async #streamable(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const sessionId = req.headers["mcp-session-id"];
    let body: unknown;
    if (req.method === "POST") {
      const parsed = await this.#parse(req, res);
      if (!parsed.ok) return;
      body = parsed.body;
    } else if (req.method !== "GET" && req.method !== "DELETE") {
      return refuse(res, 405, "HTTP_METHOD_NOT_ALLOWED", "Method not allowed", { allow: "GET, POST, DELETE" });
    }
    if (typeof sessionId === "string") {
      const entry = this.#sessions.get(sessionId);
      if (!entry?.streamable) return refuse(res, 404, "SESSION_NOT_FOUND", "Session not found");
      entry.lastSeen = Date.now();
      if (req.method === "POST") return void entry.streamable.handlePost(req, res, body, this.#info(req, "streamable-http"));
      if (req.method === "GET") return entry.streamable.handleGet(req, res);
      await entry.streamable.close();
      res.writeHead(200, { "mcp-session-id": sessionId }).end();
      return;
    }
    if (req.method !== "POST" || !isInitialize(body)) {
      return refuse(res, 400, "SESSION_REQUIRED", "Bad Request: Mcp-Session-Id header is required");
    }
    if (this.#refusedForCapacity(res)) return;
    const info = this.#info(req, "streamable-http");
    const session = this.sessions.create(info);
    const transport = new StreamableHttpTransport(randomUUID());
    this.#sessions.set(transport.sessionId, { session, streamable: transport, lastSeen: Date.now() });
    transport.onclose = () => this.#drop(transport.sessionId);
    await session.connect(transport);
    // A refused initialize (bad version header, not JSON-RPC) must not leave a session behind.
    if (!transport.handlePost(req, res, body, info)) this.#drop(transport.sessionId);
  }

  async #openSse(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.#refusedForCapacity(res)) return;
    const transport = new LegacySseTransport(res, this.config.messagePath);
    const session = this.sessions.create(this.#info(req, "legacy-sse"));
    this.#sessions.set(transport.sessionId, { session, sse: transport, lastSeen: Date.now() });
    transport.onclose = () => this.#drop(transport.sessionId);
    await session.connect(transport);
  }

  async #postSse(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const sessionId = new URL(req.url ?? "/", "http://x").searchParams.get("sessionId") ?? "";
    const entry = this.#sessions.get(sessionId);
    if (!entry?.sse) return refuse(res, 404, "SESSION_NOT_FOUND", "Session not found");
    const parsed = await this.#parse(req, res);
    if (!parsed.ok) return;
    const messages: unknown[] = Array.isArray(parsed.body) ? parsed.body : [parsed.body];
    if (messages.length === 0 || !messages.every(isMessage)) return refuse(res, 400, "INVALID_REQUEST", "Invalid Request: not a JSON-RPC 2.0 message");
    if (entry.sse.asksBeforeInitialize(messages as never)) {
      return refuse(res, 404, "SSE_SESSION_NOT_INITIALIZED", "Session not found: this SSE stream's session was never initialized (the stream reconnected after the session it belonged to ended, e.g. a proxy restart); connect again and initialize");
    }
    entry.lastSeen = Date.now();
    res.writeHead(202).end("Accepted");
    const info = this.#info(req, "legacy-sse");
    for (const message of messages) entry.sse.receive(message as never, info);
  }

  /** What this binding knows of a request, handed on with each of its messages. */
  #info(req: IncomingMessage, transport: RequestInfo["transport"]): RequestInfo {
    return { binding: this.#name, transport, headers: req.headers, remoteAddress: req.socket.remoteAddress };
  }

  /** Over `limits.maxClientSessions`: 503 with a hint to retry, for either transport. */
  #refusedForCapacity(res: ServerResponse): boolean {
    if (this.#sessions.size < this.options.maxSessions) return false;
    refuse(res, 503, "TOO_MANY_SESSIONS", "Too many sessions", { "retry-after": "5" });
    return true;
  }

  #drop(sessionId: string | undefined): void {
    if (!sessionId) return;
    const entry = this.#sessions.get(sessionId);
    if (!entry) return;
    this.#sessions.delete(sessionId);
    void entry.session.close();
  }

  #sweep(): void {
    const cutoff = Date.now() - this.options.idleMs;
    for (const [id, entry] of this.#sessions) {
      // A session with a call under way or a stream held open is in use, however quiet; its
      // idle time starts when the last of those ends, not when its last request began.
      if (entry.streamable?.busy || entry.sse) entry.lastSeen = Date.now();
      else if (entry.lastSeen < cutoff) {
        this.sessions.logger.info({ session: id }, "closing idle client session");
        void (entry.streamable ?? entry.sse)?.close();
        this.#drop(id);
      }
    }
  }

  async close(): Promise<void> {
    clearInterval(this.#sweeper);
    const closing = [...this.#sessions.keys()].map((id) => {
      const entry = this.#sessions.get(id)!;
      this.#sessions.delete(id);
      return Promise.all([(entry.streamable ?? entry.sse)?.close().catch(() => undefined), entry.session.close()]);
    });
    await Promise.all(closing);
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

function isInitialize(body: unknown): boolean {
  const messages = Array.isArray(body) ? body : [body];
  return messages.some((m) => typeof m === "object" && m !== null && (m as { method?: unknown }).method === "initialize");
}
