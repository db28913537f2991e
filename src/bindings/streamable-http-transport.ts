import type { IncomingMessage, ServerResponse } from "node:http";
import type { JSONRPCMessage, RequestId, Transport, TransportSendOptions } from "@modelcontextprotocol/server";
import { SUPPORTED_PROTOCOL_VERSIONS } from "@modelcontextprotocol/server";
import type { RequestInfo } from "../core/context.js";
import { duplicateRequestId, errorResponse } from "../core/errors.js";
import { BoundedEventStore } from "./event-store.js";
import { refuse } from "./http-errors.js";
import { isMessage, type Message } from "./json-rpc-shape.js";
import { serialiseAnswer } from "./response-budget.js";
import type { ServedMessageExtra } from "./session-factory.js";
import { endGuarded, type StreamGuard, writeGuarded } from "./stream-guard.js";

/** Messages for the client that arrive while it has no GET stream open wait here, at most this many (and maxBufferedBytes). */
const PENDING_LIMIT = 256;
const KEEPALIVE_MS = 15_000;
const STANDALONE = "standalone";
/** What a session keeps for Last-Event-ID resumption, at most: a session that is only held open must cost little. */
const RESUME_BYTES = 2 * 1024 * 1024;
/** A JSON answer whose reader takes no byte for this long is cut off (see `endGuarded`). */
const JSON_STALL_MS = 10_000;

/** What bounds one session's output: answer bytes per POST, and what a slow reader may leave buffered. */
export interface StreamLimits {
  readonly maxResponseBytes: number;
  readonly guard: StreamGuard;
}

/** One POST that carried requests: answered as JSON, or as an SSE stream once something must go out before the answers. */
interface PostExchange {
  /** Where the stream goes now; undefined while an SSE client is away (its events are kept for Last-Event-ID). */
  res: ServerResponse | undefined;
  readonly waiting: Set<RequestId>;
  /** The answers of a JSON exchange, serialised, and the bytes of every answer so far. */
  readonly answers: string[];
  answerBytes: number;
  readonly batch: boolean;
  sse: boolean;
  readonly streamId: string;
}

/**
 * The server side of Streamable HTTP for one session. A POST with requests is answered with
 * `application/json` when nothing needs to reach the client before the answer (the common,
 * fast case), and becomes an SSE stream only when the client prefers one or a progress
 * notification or a request for sampling, elicitation or roots belongs to one of its calls.
 * Every SSE event is kept (bounded) so a client that lost a stream resumes it with
 * Last-Event-ID. Messages tied to no call go on the GET stream, and wait (bounded) until the
 * client opens one rather than being dropped.
 */
export class StreamableHttpTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: Transport["onmessage"];
  readonly #exchanges = new Map<RequestId, PostExchange>();
  readonly #streams = new Map<string, PostExchange>();
  readonly #events: BoundedEventStore;
  /** Serialised messages waiting for a GET stream, oldest first, and their size. */
  readonly #pending: string[] = [];
  #pendingBytes = 0;
  #standalone: ServerResponse | undefined;
  #keepalive: NodeJS.Timeout | undefined;
  #streamCount = 0;
  #closed = false;
  #releasedAt = 0;

  constructor(
    readonly sessionId: string,
    private readonly limits: StreamLimits,
  ) {
    this.#events = new BoundedEventStore(512, Math.min(RESUME_BYTES, limits.guard.maxBufferedBytes));
  }

  async start(): Promise<void> {}

  /** Whether a call is under way. A GET stream held open alone does not count: a quiet client idles out all the same. */
  get busy(): boolean {
    return this.#exchanges.size > 0;
  }

  /** When the last call under way ended or the GET stream closed: the session's idle time starts there. */
  get releasedAt(): number {
    return this.#releasedAt;
  }

  /** Whether the client holds its GET stream open (it is connected, though maybe quiet). */
  get streaming(): boolean {
    return this.#standalone !== undefined;
  }

  /**
   * A POST whose body is already parsed (one message or a batch). Returns false when it was
   * refused before any message was handed on (bad version header, not JSON-RPC).
   */
  handlePost(req: IncomingMessage, res: ServerResponse, body: unknown, info: RequestInfo): boolean {
    if (!this.#versionAccepted(req, res)) return false;
    const batch = Array.isArray(body);
    const messages = (batch ? body : [body]) as unknown[];
    if (messages.length === 0 || !messages.every(isMessage)) {
      refuse(res, 400, "INVALID_REQUEST", "Invalid Request: not a JSON-RPC 2.0 message");
      return false;
    }
    const requests = (messages as Message[]).filter((m) => typeof m.method === "string" && m.id !== undefined);
    // Answers are matched to their POST by request id: an id already in flight in this session
    // (or twice in one batch) is refused here, so the first request keeps its own answer.
    const refused = new Set<Message>();
    const ids = new Set<RequestId>();
    for (const request of requests) {
      if (this.#exchanges.has(request.id!) || ids.has(request.id!)) refused.add(request);
      else ids.add(request.id!);
    }
    if (requests.length === 0) {
      res.writeHead(202, { "mcp-session-id": this.sessionId }).end();
    } else {
      const exchange: PostExchange = { res, waiting: ids, answers: [], answerBytes: 0, batch, sse: false, streamId: `post${++this.#streamCount}` };
      for (const id of ids) this.#exchanges.set(id, exchange);
      if (prefersStream(req.headers.accept)) this.#startStream(exchange);
      res.on("close", () => this.#detach(exchange, res));
      if (refused.size > 0) this.#refuse(exchange, refused);
    }
    const extra: ServedMessageExtra = { info };
    for (const message of messages) if (!refused.has(message as Message)) this.onmessage?.(message as JSONRPCMessage, extra);
    return true;
  }

  /** GET: the stream for messages tied to no call, or with Last-Event-ID the rest of a stream the client lost. */
  async handleGet(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!this.#versionAccepted(req, res)) return;
    if (!String(req.headers.accept ?? "").includes("text/event-stream")) return refuse(res, 406, "NOT_ACCEPTABLE", "Not Acceptable: GET needs Accept: text/event-stream");
    const lastEventId = req.headers["last-event-id"];
    const streamId = typeof lastEventId === "string" ? this.#events.streamIdOf(lastEventId) : STANDALONE;
    this.#openSse(res);
    if (typeof lastEventId === "string") {
      for (const [id, data] of this.#events.eventsAfter(lastEventId)) if (!writeGuarded(res, sseEvent(id, data), this.limits.guard, "a resumed SSE stream")) return;
    }
    if (streamId !== STANDALONE) {
      // The rest of a POST's stream: attach it here until its last answer, or end if it is complete.
      const resumed = this.#streams.get(streamId);
      if (!resumed || resumed.waiting.size === 0) return void res.end();
      resumed.res = res;
      res.on("close", () => this.#detach(resumed, res));
      return;
    }
    // A new standalone stream replaces an old one: a half-dead socket must not lock the client out.
    this.#standalone?.end();
    this.#standalone = res;
    clearInterval(this.#keepalive);
    this.#keepalive = setInterval(() => writeGuarded(res, ": keepalive\n\n", this.limits.guard, "the GET stream"), KEEPALIVE_MS).unref();
    res.on("close", () => {
      if (this.#standalone !== res) return;
      this.#standalone = undefined;
      this.#releasedAt = Date.now();
      clearInterval(this.#keepalive);
    });
    this.#pendingBytes = 0;
    for (const data of this.#pending.splice(0)) this.#writeStandalone(data);
  }

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    if (this.#closed) return;
    const m = message as Message;
    const isResponse = m.method === undefined && m.id !== undefined && ("result" in m || "error" in m);
    const exchange = isResponse ? this.#exchanges.get(m.id!) : options?.relatedRequestId !== undefined ? this.#exchanges.get(options.relatedRequestId) : undefined;
    if (!exchange) {
      if (isResponse) return; // its JSON POST is gone (client disconnected); nothing to deliver it on
      return this.#writeStandalone(JSON.stringify(m));
    }
    if (isResponse) this.#settle(exchange, m.id!);
    const data = isResponse ? this.#answerText(exchange, m) : JSON.stringify(m);
    if (exchange.sse) {
      this.#writeSse(exchange, data);
      this.#finishIfDone(exchange);
      return;
    }
    if (!isResponse) {
      // Something must reach the client before the answer: switch this POST to a stream.
      this.#startStream(exchange);
      for (const answer of exchange.answers.splice(0)) this.#writeSse(exchange, answer);
      this.#writeSse(exchange, data);
      return;
    }
    exchange.answers.push(data);
    this.#finishIfDone(exchange);
  }

  /** A request the session will not answer (the client cancelled it): stop waiting for it. */
  abandon(requestId: RequestId): void {
    const exchange = this.#exchanges.get(requestId);
    if (!exchange) return;
    this.#settle(exchange, requestId);
    this.#finishIfDone(exchange);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#keepalive);
    this.#standalone?.end();
    for (const exchange of new Set(this.#exchanges.values())) {
      if (exchange.sse || !exchange.res) exchange.res?.end();
      else refuse(exchange.res, 404, "SESSION_NOT_FOUND", "Session closed while the request was in flight");
    }
    this.#exchanges.clear();
    this.#streams.clear();
    this.onclose?.();
  }

  /** An answer as it goes out, counted against `maxResponseBytes` for its POST (an error instead, past it). */
  #answerText(exchange: PostExchange, answer: Message): string {
    const { text, bytes } = serialiseAnswer(answer, exchange.answerBytes, this.limits.maxResponseBytes);
    exchange.answerBytes += bytes;
    return text;
  }

  /** Answers the refused requests of a POST in that POST's own answer. */
  #refuse(exchange: PostExchange, refused: ReadonlySet<Message>): void {
    for (const request of refused) {
      const answer = this.#answerText(exchange, errorResponse(request.id!, duplicateRequestId(request.id!)) as Message);
      if (exchange.sse) this.#writeSse(exchange, answer);
      else exchange.answers.push(answer);
    }
    this.#finishIfDone(exchange);
  }

  #settle(exchange: PostExchange, id: RequestId): void {
    exchange.waiting.delete(id);
    this.#exchanges.delete(id);
    this.#releasedAt = Date.now();
  }

  #finishIfDone(exchange: PostExchange): void {
    if (exchange.waiting.size > 0) return;
    this.#streams.delete(exchange.streamId);
    const res = exchange.res;
    if (!res) return;
    if (exchange.sse) {
      // Delivered to the end: nothing of it needs resuming, so a session's memory holds only
      // streams a client may still come back for.
      this.#events.forget(exchange.streamId);
      return void res.end();
    }
    if (exchange.answers.length === 0) return void res.writeHead(202, { "mcp-session-id": this.sessionId }).end();
    const body = exchange.batch ? `[${exchange.answers.join(",")}]` : exchange.answers[0]!;
    // Every answer was measured once as it was serialised (#answerText), and a JSON exchange
    // holds all of them: its length is their sum, plus brackets and commas for a batch.
    const length = exchange.answerBytes + (exchange.batch ? exchange.answers.length + 1 : 0);
    exchange.answers.length = 0;
    res.writeHead(200, { "content-type": "application/json", "content-length": length, "mcp-session-id": this.sessionId }).end(body);
    endGuarded(res, this.limits.guard, "a JSON answer", JSON_STALL_MS);
  }

  /** The client's connection for an exchange went away. A stream's events keep being kept; a JSON answer has nowhere to go. */
  #detach(exchange: PostExchange, res: ServerResponse): void {
    if (exchange.res !== res) return;
    exchange.res = undefined;
    if (exchange.sse) return;
    for (const id of exchange.waiting) if (this.#exchanges.get(id) === exchange) this.#exchanges.delete(id);
    this.#releasedAt = Date.now();
  }

  #startStream(exchange: PostExchange): void {
    exchange.sse = true;
    this.#streams.set(exchange.streamId, exchange);
    if (exchange.res) this.#openSse(exchange.res);
  }

  #versionAccepted(req: IncomingMessage, res: ServerResponse): boolean {
    const version = req.headers["mcp-protocol-version"];
    if (version === undefined || SUPPORTED_PROTOCOL_VERSIONS.includes(String(version))) return true;
    refuse(res, 400, "UNSUPPORTED_PROTOCOL_VERSION", `Bad Request: unsupported MCP-Protocol-Version ${String(version)} (supported: ${SUPPORTED_PROTOCOL_VERSIONS.join(", ")})`);
    return false;
  }

  #openSse(res: ServerResponse): void {
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache, no-transform", connection: "keep-alive", "mcp-session-id": this.sessionId });
    res.flushHeaders();
  }

  /** Writes one event of a POST's stream; a reader too far behind is cut off (its events stay kept for Last-Event-ID). */
  #writeSse(exchange: PostExchange, data: string): void {
    const id = this.#events.store(exchange.streamId, data);
    if (exchange.res) writeGuarded(exchange.res, sseEvent(id, data), this.limits.guard, "a POST's SSE stream");
  }

  #writeStandalone(data: string): void {
    if (this.#standalone) {
      const id = this.#events.store(STANDALONE, data);
      writeGuarded(this.#standalone, sseEvent(id, data), this.limits.guard, "the GET stream");
      return;
    }
    this.#pending.push(data);
    this.#pendingBytes += data.length;
    while (this.#pending.length > PENDING_LIMIT || this.#pendingBytes > this.limits.guard.maxBufferedBytes) this.#pendingBytes -= this.#pending.shift()!.length;
  }
}

/**
 * Content negotiation: a client that lists text/event-stream before application/json (or
 * accepts no JSON) asked for a stream; SDK clients list JSON first and get the fast path.
 */
export function prefersStream(accept: string | undefined): boolean {
  if (!accept || accept.startsWith("application/json")) return false;
  const types = accept.split(",").map((t) => t.split(";")[0]!.trim().toLowerCase());
  const sse = types.indexOf("text/event-stream");
  const json = types.findIndex((t) => t === "application/json" || t === "application/*" || t === "*/*");
  return sse !== -1 && (json === -1 || sse < json);
}

function sseEvent(id: string, data: string): string {
  return `id: ${id}\nevent: message\ndata: ${data}\n\n`;
}
