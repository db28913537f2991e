import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from "node:http";
import { createServer as createTlsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { callerKey } from "../core/authentication.js";
import { type AdminHandlers, serveAdmin } from "./admin-routes.js";
import type { Identity, RequestInfo } from "../core/context.js";
import { ProxyError } from "../core/errors.js";
import { limitConnections } from "./connection-limit.js";
import { HttpEdge } from "./http-edge.js";
import { BodyTooLargeError, readBody, refuse } from "./http-errors.js";
import { LegacySseTransport } from "./legacy-sse-transport.js";
import { serveModernPost } from "./modern-http.js";
import { isMessage } from "./json-rpc-shape.js";
import { LogBudget } from "./log-budget.js";
import { hostAllowed, isLoopbackHost, originAllowed } from "./origin.js";
import { newSessionId } from "./session-id.js";
import type { SessionFactory, ServedSession } from "./session-factory.js";
import { type StreamLimits, StreamableHttpTransport } from "./streamable-http-transport.js";

/** What an HTTP binding serves; the runtime passes the resolved binding, which has this shape. */
export interface HttpBindingSettings {
  /** The binding's configured name (session.binding in policies, audit lines). */
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly path: string;
  readonly legacySse: boolean;
  readonly ssePath: string;
  readonly messagePath: string;
  readonly allowedOrigins: readonly string[];
  /** Host names accepted in the Host header on a non-loopback binding, besides loopback names and IP literals. */
  readonly allowedHosts: readonly string[];
  /** The URL clients reach the MCP endpoint at, when a load balancer is in front (RFC 9728 resource, default audience). */
  readonly publicUrl?: string | undefined;
  /** Peers whose X-Forwarded-For / -Proto are believed. */
  readonly trustedProxies?: readonly string[];
  /** Browser origins given CORS headers. */
  readonly corsOrigins?: readonly string[];
  /** PEM certificate and key: the binding serves HTTPS. */
  readonly tls?: { readonly cert: string; readonly key: string } | undefined;
  /** Also serve 2026-07-28 clients (absent: yes). */
  readonly modern?: boolean;
}

interface Entry {
  readonly session: ServedSession;
  readonly streamable?: StreamableHttpTransport;
  readonly sse?: LegacySseTransport;
  /** When the client last sent a request. */
  lastSeen: number;
  /** The caller who opened the session (callerKey): nobody else's credentials reach it. */
  readonly caller: string;
  /** Closes the session unless its handshake completes first; cleared once it has. */
  handshakeTimer: NodeJS.Timeout | undefined;
}

export interface HttpBindingOptions {
  readonly maxBodyBytes: number;
  readonly maxSessions: number;
  readonly idleMs: number;
  /** The same for a session that holds a stream open (a client still connected). */
  readonly streamIdleMs: number;
  /** Most messages in one batch. */
  readonly maxBatchSize: number;
  /** Most bytes of answers to one POST (one request or a batch). */
  readonly maxResponseBytes: number;
  /** Most bytes a slow reader may leave waiting on one stream before it is cut off. */
  readonly maxStreamBufferBytes: number;
  /** How long a session may take from being opened to completing its handshake. */
  readonly handshakeMs: number;
  readonly maxUninitializedSessions: number;
  readonly maxConnections: number;
  /** Applied on non-loopback bindings only. */
  readonly maxConnectionsPerAddress: number;
}

/** Serves Streamable HTTP (and legacy SSE beside it) on one address, one session per client. */
export class HttpBinding {
  readonly #sessions = new Map<string, Entry>();
  readonly #server: HttpServer;
  /** How this binding is named in request info (audit, policies): its configured address. */
  readonly #name: string;
  #sweeper: NodeJS.Timeout | undefined;
  /** Why new sessions are refused (shutdown, or a listener a reload replaced); undefined while accepting. */
  #draining: string | undefined;
  #uninitialized = 0;
  readonly #limitLog: LogBudget;
  readonly #streamLimits: StreamLimits;
  readonly #connections: ReturnType<typeof limitConnections>;
  readonly #edge: HttpEdge;
  /** allowedHosts, and the host of publicUrl: the name clients use is one the binding answers to. */
  readonly #allowedHosts: readonly string[];

  constructor(
    readonly config: HttpBindingSettings,
    private readonly options: HttpBindingOptions,
    private readonly sessions: SessionFactory,
    /** Health, status, metrics and admin endpoints beside the MCP ones (src/bindings/admin-routes.ts). */
    private readonly admin?: AdminHandlers,
  ) {
    this.#edge = new HttpEdge({ path: config.path, publicUrl: config.publicUrl, trustedProxies: config.trustedProxies ?? [], corsOrigins: config.corsOrigins ?? [], tls: config.tls !== undefined });
    this.#allowedHosts = config.publicUrl ? [...config.allowedHosts, new URL(config.publicUrl).hostname] : config.allowedHosts;
    this.#name = `${config.tls ? "https" : "http"}://${config.host.includes(":") ? `[${config.host}]` : config.host}:${config.port}${config.path}`;
    this.#limitLog = new LogBudget(sessions.logger);
    this.#streamLimits = {
      maxResponseBytes: options.maxResponseBytes,
      guard: {
        maxBufferedBytes: options.maxStreamBufferBytes,
        onCut: (what, bufferedBytes) =>
          this.#limitLog.warn("SLOW_CONSUMER", { binding: this.#name, bufferedBytes, limit: options.maxStreamBufferBytes }, `cut off ${what}: its client reads too slowly`, `SLOW_CONSUMER ${what}`),
      },
    };
    const onRequest = (req: IncomingMessage, res: ServerResponse) => {
      if (this.#connections.refused(req.socket)) return;
      this.#handle(req, res).catch((error: unknown) => {
        this.sessions.logger.error({ err: (error as Error).message }, "http request failed");
        refuse(res, 500, "INTERNAL", "internal error");
      });
    };
    // node:https's server is node:http's over TLS: the same handler, timeouts and connection caps.
    this.#server = config.tls ? (createTlsServer({ cert: config.tls.cert, key: config.tls.key }, onRequest) as unknown as HttpServer) : createServer(onRequest);
    // Keep-alive connections are what a busy client uses; do not cut them between calls.
    this.#server.keepAliveTimeout = 65_000;
    // A request (headers and body) must arrive in reasonable time: a client dribbling bytes
    // must not hold a connection and a body buffer for Node's default five minutes. Answers
    // (streams, long calls) are not bounded by these.
    this.#server.headersTimeout = 15_000;
    this.#server.requestTimeout = 30_000;
    this.#connections = limitConnections(this.#server, {
      maxConnections: options.maxConnections,
      maxPerAddress: isLoopbackHost(config.host) ? undefined : options.maxConnectionsPerAddress,
      // A trusted proxy's connections carry many clients: capping it per address would cap them all together.
      exempt: (address) => this.#edge.isTrusted(address),
      onRefused: (remoteAddress, open, limit) =>
        this.#limitLog.warn("TOO_MANY_CONNECTIONS", { binding: this.#name, remoteAddress, open, limit }, "refused a connection: too many open"),
    });
  }

  /** The URLs this binding serves, once listening. */
  urls(): { streamable: string; sse?: string } {
    const address = this.#server.address() as AddressInfo;
    const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
    const base = `${this.config.tls ? "https" : "http"}://${host}:${address.port}`;
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
    const shortest = Math.min(...[this.options.idleMs, this.options.streamIdleMs].filter((ms) => ms > 0));
    if (Number.isFinite(shortest)) {
      // A quarter of the idle time: a session is reclaimed at most 1.25 × its limit after its client went.
      const sweepEvery = Math.max(1000, Math.min(60_000, shortest / 4));
      this.#sweeper = setInterval(() => this.#sweep(), sweepEvery).unref();
    }
  }

  get sessionCount(): number {
    return this.#sessions.size;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!hostAllowed(req.headers.host, this.config.host, this.#allowedHosts)) return refuse(res, 403, "HOST_NOT_ALLOWED", "Forbidden: Host header is not an allowed host name");
    if (!originAllowed(req.headers.origin, this.config.allowedOrigins) && !this.#edge.corsAllows(req.headers.origin)) return refuse(res, 403, "ORIGIN_NOT_ALLOWED", "Forbidden: Origin not allowed");
    const path = (req.url ?? "/").split("?")[0]!;
    const metadata = this.#edge.isMetadataPath(path);
    const sse = this.config.legacySse && (path === this.config.ssePath || path === this.config.messagePath);
    if (this.#edge.cors(req, res, metadata || sse || path === this.config.path)) return;
    if (metadata) return this.#resourceMetadata(req, res);
    const route =
      path === this.config.path ? this.#streamable
      : this.config.legacySse && path === this.config.ssePath && req.method === "GET" ? this.#openSse
      : this.config.legacySse && path === this.config.messagePath && req.method === "POST" ? this.#postSse
      : undefined;
    if (!route) {
      if (this.admin && (await serveAdmin(req, res, path ?? "/", this.admin, async (headers) => (await this.sessions.authenticate(headers, this.#edge.edgeOf(req))).ok))) return;
      return refuse(res, 404, "NOT_FOUND", `Not found: ${path}`);
    }
    // Credentials are checked before any session is looked up or opened: a caller without
    // them learns nothing, not even whether a session id exists.
    const transport: RequestInfo["transport"] = route === this.#streamable ? "streamable-http" : "legacy-sse";
    const outcome = await this.sessions.authenticate(req.headers, this.#edge.edgeOf(req));
    if (!outcome.ok) {
      this.sessions.authenticationRefused(this.#info(req, transport, undefined), outcome);
      const code = outcome.status === 403 ? "INSUFFICIENT_SCOPE" : "UNAUTHENTICATED";
      return refuse(res, outcome.status, code, outcome.message, { "www-authenticate": outcome.challenge });
    }
    return route.call(this, req, res, this.#info(req, transport, outcome.identity));
  }

  /** RFC 9728 protected resource metadata, public (clients read it before they have a token). */
  #resourceMetadata(req: IncomingMessage, res: ServerResponse): void {
    if (req.method !== "GET" && req.method !== "HEAD") return refuse(res, 405, "HTTP_METHOD_NOT_ALLOWED", "Method not allowed", { allow: "GET" });
    const document = this.sessions.resourceMetadata(this.#edge.edgeOf(req).resource);
    if (!document) return refuse(res, 404, "NOT_FOUND", "Not found: this binding's auth has no authorization server (protected resource metadata is served with auth type jwt)");
    const body = JSON.stringify(document);
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body), "cache-control": "max-age=300" }).end(req.method === "HEAD" ? undefined : body);
  }

  async #parse(req: IncomingMessage, res: ServerResponse): Promise<{ ok: true; body: unknown } | { ok: false }> {
    try {
      const raw = await readBody(req, this.options.maxBodyBytes);
      const body: unknown = JSON.parse(raw.toString("utf8"));
      // Refused whole and before any of it runs: each message costs a dispatch and an answer.
      if (Array.isArray(body) && body.length > this.options.maxBatchSize) {
        this.#limitLog.warn("BATCH_TOO_LARGE", { binding: this.#name, messages: body.length, limit: this.options.maxBatchSize }, "refused a batch: too many messages");
        refuse(res, 400, "BATCH_TOO_LARGE", `Invalid Request: a batch of ${body.length} messages is over the limit of ${this.options.maxBatchSize} (limits.maxBatchSize)`);
        return { ok: false };
      }
      return { ok: true, body };
    } catch (error) {
      if (error instanceof BodyTooLargeError) refuse(res, 413, "BODY_TOO_LARGE", `Request body exceeds ${this.options.maxBodyBytes} bytes`, { connection: "close" });
      else refuse(res, 400, "PARSE_ERROR", `Parse error: ${(error as Error).message}`);
      return { ok: false };
    }
  }

  async #streamable(req: IncomingMessage, res: ServerResponse, info: RequestInfo): Promise<void> {
    const sessionId = req.headers["mcp-session-id"];
    let body: unknown;
    if (req.method === "POST") {
      const parsed = await this.#parse(req, res);
      if (!parsed.ok) return;
      body = parsed.body;
      // 2026-07-28 requests carry no session: served per request, before any session lookup.
      if (this.config.modern !== false && (await serveModernPost(req, res, body, info, this.sessions.modern))) return;
    } else if (req.method !== "GET" && req.method !== "DELETE") {
      return refuse(res, 405, "HTTP_METHOD_NOT_ALLOWED", "Method not allowed", { allow: "GET, POST, DELETE" });
    }
    if (typeof sessionId === "string") {
      const entry = this.#sessions.get(sessionId);
      // Another caller's session id is answered as an unknown one: it is not theirs to use.
      if (!entry?.streamable || entry.caller !== callerKey(info.identity)) return refuse(res, 404, "SESSION_NOT_FOUND", "Session not found");
      entry.lastSeen = Date.now();
      if (req.method === "POST") {
        this.#noteHandshake(entry, body);
        return void entry.streamable.handlePost(req, res, body, info);
      }
      if (req.method === "GET") return entry.streamable.handleGet(req, res);
      await entry.streamable.close();
      res.writeHead(200, { "mcp-session-id": sessionId }).end();
      return;
    }
    if (req.method !== "POST" || !isInitialize(body)) {
      return refuse(res, 400, "SESSION_REQUIRED", "Bad Request: Mcp-Session-Id header is required");
    }
    if (this.#refusedForCapacity(res)) return;
    const session = this.#open(info, res);
    if (!session) return;
    const transport = new StreamableHttpTransport(newSessionId(), this.#streamLimits);
    this.#register(transport.sessionId, { session, streamable: transport, lastSeen: Date.now(), handshakeTimer: undefined, caller: callerKey(info.identity) });
    transport.onclose = () => this.#drop(transport.sessionId);
    await session.connect(transport);
    // A refused initialize (bad version header, not JSON-RPC) must not leave a session behind.
    if (!transport.handlePost(req, res, body, info)) this.#drop(transport.sessionId);
  }

  async #openSse(req: IncomingMessage, res: ServerResponse, info: RequestInfo): Promise<void> {
    if (this.#refusedForCapacity(res)) return;
    const session = this.#open(info, res);
    if (!session) return;
    const transport = new LegacySseTransport(res, this.config.messagePath, this.#streamLimits);
    this.#register(transport.sessionId, { session, sse: transport, lastSeen: Date.now(), handshakeTimer: undefined, caller: callerKey(info.identity) });
    transport.onclose = () => this.#drop(transport.sessionId);
    await session.connect(transport);
  }

  async #postSse(req: IncomingMessage, res: ServerResponse, info: RequestInfo): Promise<void> {
    const sessionId = new URL(req.url ?? "/", "http://x").searchParams.get("sessionId") ?? "";
    const entry = this.#sessions.get(sessionId);
    if (!entry?.sse || entry.caller !== callerKey(info.identity)) return refuse(res, 404, "SESSION_NOT_FOUND", "Session not found");
    const parsed = await this.#parse(req, res);
    if (!parsed.ok) return;
    const messages: unknown[] = Array.isArray(parsed.body) ? parsed.body : [parsed.body];
    if (messages.length === 0 || !messages.every(isMessage)) return refuse(res, 400, "INVALID_REQUEST", "Invalid Request: not a JSON-RPC 2.0 message");
    if (entry.sse.asksBeforeInitialize(messages as never)) {
      return refuse(res, 404, "SSE_SESSION_NOT_INITIALIZED", "Session not found: this SSE stream's session was never initialized (the stream reconnected after the session it belonged to ended, e.g. a proxy restart); connect again and initialize");
    }
    entry.lastSeen = Date.now();
    this.#noteHandshake(entry, parsed.body);
    res.writeHead(202).end("Accepted");
    for (const message of messages) entry.sse.receive(message as never, info);
  }

  /** What this binding knows of a request, handed on with each of its messages. */
  #info(req: IncomingMessage, transport: RequestInfo["transport"], identity: Identity | undefined): RequestInfo {
    return { binding: this.config.name, transport, headers: withoutCredentials(req.headers), remoteAddress: this.#edge.clientAddress(req), ...(identity ? { identity } : {}) };
  }

  /**
   * Over `limits.maxClientSessions`, or over the small budget of sessions still in their
   * handshake: 503 with a hint to retry, for either transport. Opening a session is cheap for
   * a client and costly for the gateway, so ones that never finish must not crowd out others.
   */
  #refusedForCapacity(res: ServerResponse): boolean {
    if (this.#draining) {
      refuse(res, 503, "SHUTTING_DOWN", `Service unavailable: ${this.#draining}; open a new session elsewhere or retry`, { "retry-after": "1", connection: "close" });
      return true;
    }
    if (this.#sessions.size >= this.options.maxSessions) {
      this.#limitLog.warn("TOO_MANY_SESSIONS", { binding: this.#name, sessions: this.#sessions.size }, "refused a session: too many open");
      refuse(res, 503, "TOO_MANY_SESSIONS", "Too many sessions", { "retry-after": "5" });
      return true;
    }
    if (this.#uninitialized >= this.options.maxUninitializedSessions) {
      this.#limitLog.warn("TOO_MANY_UNINITIALIZED_SESSIONS", { binding: this.#name, uninitialized: this.#uninitialized }, "refused a session: too many have not completed their handshake");
      refuse(res, 503, "TOO_MANY_UNINITIALIZED_SESSIONS", "Too many sessions that have not completed their handshake", { "retry-after": "5" });
      return true;
    }
    return false;
  }

  /**
   * A new session from the runtime, or the runtime's refusal answered: a caller over its own
   * share of sessions (limits.maxSessionsPerIdentity) gets 429, since it is that caller, not the
   * gateway, that is full.
   */
  #open(info: RequestInfo, res: ServerResponse): ServedSession | undefined {
    try {
      return this.sessions.create(info);
    } catch (error) {
      if (!(error instanceof ProxyError) || error.code !== "IDENTITY_SESSION_LIMIT") throw error;
      this.#limitLog.warn("IDENTITY_SESSION_LIMIT", { binding: this.#name, subject: info.identity?.sub }, "refused a session: its caller holds its share");
      refuse(res, 429, "IDENTITY_SESSION_LIMIT", error.message, { "retry-after": "5" });
      return undefined;
    }
  }

  /** A new session counts as uninitialized until its handshake completes, and is closed if it does not in time. */
  #register(sessionId: string, entry: Entry): void {
    this.#sessions.set(sessionId, entry);
    this.#uninitialized++;
    entry.handshakeTimer = setTimeout(() => {
      entry.handshakeTimer = undefined;
      this.#uninitialized--;
      this.#limitLog.warn("HANDSHAKE_TIMEOUT", { binding: this.#name, session: sessionId }, "closing a client session that did not complete its handshake in time");
      void (entry.streamable ?? entry.sse)?.close();
      this.#drop(sessionId);
    }, this.options.handshakeMs).unref();
  }

  /** The handshake is complete once the client sends anything besides `initialize` (normally `notifications/initialized`). */
  #noteHandshake(entry: Entry, body: unknown): void {
    if (!entry.handshakeTimer) return;
    const messages = Array.isArray(body) ? body : [body];
    if (messages.some((m) => isMessage(m) && m.method !== "initialize")) this.#settleHandshake(entry);
  }

  #settleHandshake(entry: Entry): void {
    if (!entry.handshakeTimer) return;
    clearTimeout(entry.handshakeTimer);
    entry.handshakeTimer = undefined;
    this.#uninitialized--;
  }

  #drop(sessionId: string | undefined): void {
    if (!sessionId) return;
    const entry = this.#sessions.get(sessionId);
    if (!entry) return;
    this.#sessions.delete(sessionId);
    this.#settleHandshake(entry);
    void entry.session.close();
  }

  #sweep(): void {
    const now = Date.now();
    for (const [id, entry] of this.#sessions) {
      const transport = entry.streamable ?? entry.sse;
      // A call under way is use, however quiet.
      if (transport?.busy) continue;
      // Idle time counts from the last request or the end of the last call, whichever is later.
      // A client holding a stream open is still connected and gets the longer limit; one with
      // neither call nor stream has most likely gone without a DELETE and is reclaimed soon.
      const since = now - Math.max(entry.lastSeen, transport?.releasedAt ?? 0);
      const limit = transport?.streaming ? this.options.streamIdleMs : this.options.idleMs;
      const idle = limit > 0 && since >= limit;
      if (idle) {
        this.sessions.logger.info({ session: id }, "closing idle client session");
        void (entry.streamable ?? entry.sse)?.close();
        this.#drop(id);
      }
    }
  }

  /**
   * Opens no more sessions (503 SHUTTING_DOWN, saying `why`) while the open ones go on; with
   * `unlisten` the port is released too (a reload that moved the listener), existing
   * connections staying until `close`.
   */
  stopAccepting(why: string, unlisten = false): void {
    this.#draining = why;
    if (unlisten) this.#server.close();
  }

  async close(): Promise<void> {
    clearInterval(this.#sweeper);
    const closing = [...this.#sessions.keys()].map((id) => {
      const entry = this.#sessions.get(id)!;
      this.#sessions.delete(id);
      this.#settleHandshake(entry);
      return Promise.all([(entry.streamable ?? entry.sse)?.close().catch(() => undefined), entry.session.close()]);
    });
    await Promise.all(closing);
    this.#server.closeAllConnections();
    if (this.#server.listening) await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

function isInitialize(body: unknown): boolean {
  const messages = Array.isArray(body) ? body : [body];
  return messages.some((m) => typeof m === "object" && m !== null && (m as { method?: unknown }).method === "initialize");
}

/**
 * The request's headers as later stages see them: the caller's credentials stay in the
 * binding, so no interceptor, log line or audit record can pass them on.
 */
function withoutCredentials(headers: IncomingMessage["headers"]): IncomingMessage["headers"] {
  if (headers.authorization === undefined && headers.cookie === undefined && headers["proxy-authorization"] === undefined) return headers;
  const { authorization: _a, cookie: _c, "proxy-authorization": _p, ...rest } = headers;
  return rest;
}
