import type { IncomingMessage, ServerResponse } from "node:http";
import type { JSONRPCMessage, RequestId, Transport, TransportSendOptions } from "@modelcontextprotocol/server";
import { SUPPORTED_PROTOCOL_VERSIONS } from "@modelcontextprotocol/server";
import { JSON_RPC } from "../core/errors.js";
import { BoundedEventStore } from "./event-store.js";
import { refuse } from "./http-errors.js";
import { isMessage, type Message } from "./json-rpc-shape.js";

/** Messages for the client that arrive while it has no GET stream open wait here, at most this many. */
const PENDING_LIMIT = 256;
const KEEPALIVE_MS = 15_000;


/** One POST that carried requests: answered as JSON, or as an SSE stream once something must go out before the answers. */
interface PostExchange {
  readonly res: ServerResponse;
  readonly waiting: Set<RequestId>;
  readonly answers: Message[];
  readonly batch: boolean;
  sse: boolean;
  readonly streamId: string;
}

/**
 * The server side of Streamable HTTP for one session. A POST with requests is answered with
 * `application/json` when nothing needs to reach the client before the answer (the common,
 * fast case), and becomes an SSE stream only when a progress notification or a request for
 * sampling, elicitation or roots belongs to one of its calls. Messages tied to no call go on
 * the GET stream, and wait (bounded) until the client opens one rather than being dropped.
 */
export class StreamableHttpTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  readonly #exchanges = new Map<RequestId, PostExchange>();
  readonly #events = new BoundedEventStore();
  readonly #pending: Message[] = [];
  #standalone: ServerResponse | undefined;
  #keepalive: NodeJS.Timeout | undefined;
  #streams = 0;
  #closed = false;

  constructor(readonly sessionId: string) {}

  async start(): Promise<void> {}

  /** A POST whose body is already parsed; `messages` may be one message or a batch. */
  handlePost(req: IncomingMessage, res: ServerResponse, body: unknown): void {
    if (!this.#versionAccepted(req, res)) return;
    const batch = Array.isArray(body);
    const messages = (batch ? body : [body]) as Message[];
    if (messages.length === 0 || !messages.every(isMessage)) return refuse(res, 400, JSON_RPC.invalidRequest, "Invalid Request: not a JSON-RPC 2.0 message");
    const requests = messages.filter((m) => typeof m.method === "string" && m.id !== undefined);
    if (requests.length === 0) {
      res.writeHead(202, { "mcp-session-id": this.sessionId }).end();
    } else {
      const exchange: PostExchange = { res, waiting: new Set(requests.map((r) => r.id!)), answers: [], batch, sse: false, streamId: `post${++this.#streams}` };
      for (const id of exchange.waiting) this.#exchanges.set(id, exchange);
      if (prefersStream(req.headers.accept)) {
        exchange.sse = true;
        this.#openSse(res);
      }
      res.on("close", () => {
        for (const id of exchange.waiting) if (this.#exchanges.get(id) === exchange) this.#exchanges.delete(id);
      });
    }
    for (const message of messages) this.onmessage?.(message);
  }

  /** GET opens the stream for messages tied to no call; Last-Event-ID replays what a dropped stream missed. */
  async handleGet(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!this.#versionAccepted(req, res)) return;
    if (!String(req.headers.accept ?? "").includes("text/event-stream")) return refuse(res, 406, JSON_RPC.invalidRequest, "Not Acceptable: GET needs Accept: text/event-stream");
    if (this.#standalone) return refuse(res, 409, JSON_RPC.invalidRequest, "Conflict: this session already has a GET stream");
    this.#openSse(res);
    this.#standalone = res;
    res.on("close", () => {
      if (this.#standalone === res) this.#standalone = undefined;
      clearInterval(this.#keepalive);
    });
    this.#keepalive = setInterval(() => res.write(": keepalive\n\n"), KEEPALIVE_MS).unref();
    const lastEventId = req.headers["last-event-id"];
    if (typeof lastEventId === "string") {
      await this.#events.replayEventsAfter(lastEventId, { send: async (id, message) => void res.write(sseEvent(id, message)) });
    }
    for (const message of this.#pending.splice(0)) await this.#writeStandalone(message);
  }

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    if (this.#closed) return;
    const m = message as Message;
    const isResponse = m.method === undefined && m.id !== undefined && ("result" in m || "error" in m);
    const exchange = isResponse ? this.#exchanges.get(m.id!) : options?.relatedRequestId !== undefined ? this.#exchanges.get(options.relatedRequestId) : undefined;
    if (!exchange) {
      if (isResponse) return; // its POST is gone (client disconnected); nothing to deliver it on
      return this.#writeStandalone(m);
    }
    if (isResponse) {
      exchange.waiting.delete(m.id!);
      this.#exchanges.delete(m.id!);
    }
    if (exchange.sse) {
      await this.#writeSse(exchange.res, exchange.streamId, m);
      if (exchange.waiting.size === 0) exchange.res.end();
      return;
    }
    if (!isResponse) {
      // Something must reach the client before the answer: switch this POST to a stream.
      exchange.sse = true;
      this.#openSse(exchange.res);
      for (const answer of exchange.answers.splice(0)) await this.#writeSse(exchange.res, exchange.streamId, answer);
      await this.#writeSse(exchange.res, exchange.streamId, m);
      return;
    }
    exchange.answers.push(m);
    if (exchange.waiting.size > 0) return;
    const body = JSON.stringify(exchange.batch ? exchange.answers : exchange.answers[0]);
    exchange.res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body), "mcp-session-id": this.sessionId }).end(body);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#keepalive);
    this.#standalone?.end();
    for (const exchange of new Set(this.#exchanges.values())) exchange.res.end();
    this.#exchanges.clear();
    this.onclose?.();
  }

  #versionAccepted(req: IncomingMessage, res: ServerResponse): boolean {
    const version = req.headers["mcp-protocol-version"];
    if (version === undefined || SUPPORTED_PROTOCOL_VERSIONS.includes(String(version))) return true;
    refuse(res, 400, JSON_RPC.invalidRequest, `Bad Request: unsupported MCP-Protocol-Version ${String(version)} (supported: ${SUPPORTED_PROTOCOL_VERSIONS.join(", ")})`);
    return false;
  }

  #openSse(res: ServerResponse): void {
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache, no-transform", connection: "keep-alive", "mcp-session-id": this.sessionId });
    res.flushHeaders();
  }

  async #writeSse(res: ServerResponse, streamId: string, message: Message): Promise<void> {
    const id = await this.#events.storeEvent(streamId, message);
    res.write(sseEvent(id, message));
  }

  async #writeStandalone(message: Message): Promise<void> {
    if (this.#standalone) return this.#writeSse(this.#standalone, "standalone", message);
    this.#pending.push(message);
    if (this.#pending.length > PENDING_LIMIT) this.#pending.shift();
  }
}

/**
 * Content negotiation: a client that lists text/event-stream before application/json (or
 * accepts no JSON) asked for a stream; SDK clients list JSON first and get the fast path.
 */
function prefersStream(accept: string | undefined): boolean {
  if (!accept || accept.startsWith("application/json")) return false;
  const types = accept.split(",").map((t) => t.split(";")[0]!.trim().toLowerCase());
  const sse = types.indexOf("text/event-stream");
  const json = types.findIndex((t) => t === "application/json" || t === "application/*" || t === "*/*");
  return sse !== -1 && (json === -1 || sse < json);
}

function sseEvent(id: string, message: unknown): string {
  return `id: ${id}\nevent: message\ndata: ${JSON.stringify(message)}\n\n`;
}
