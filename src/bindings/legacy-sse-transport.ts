import type { ServerResponse } from "node:http";
import type { JSONRPCMessage, RequestId, Transport } from "@modelcontextprotocol/server";
import type { RequestInfo } from "../core/context.js";
import type { Message } from "./json-rpc-shape.js";
import { serialiseAnswer } from "./response-budget.js";
import type { ServedMessageExtra } from "./session-factory.js";
import { writeGuarded } from "./stream-guard.js";
import type { StreamLimits } from "./streamable-http-transport.js";
import { newSessionId } from "./session-id.js";

/**
 * The legacy HTTP+SSE server transport (protocol 2024-11-05): one long GET stream carries
 * every server message; the client posts its messages to an endpoint announced on it.
 */
export class LegacySseTransport implements Transport {
  readonly sessionId = newSessionId();
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: Transport["onmessage"];
  #closed = false;
  #releasedAt = 0;
  #initializeSeen = false;
  #keepalive: NodeJS.Timeout | undefined;
  /** Requests the client posted that are not answered yet: while any is, the session is not idle. */
  readonly #inFlight = new Set<RequestId>();

  constructor(
    private readonly res: ServerResponse,
    private readonly messagePath: string,
    private readonly limits: StreamLimits,
  ) {
    res.on("close", () => this.#finish());
  }

  get busy(): boolean {
    return this.#inFlight.size > 0;
  }

  /** When the last call under way ended: the session's idle time starts there (or at its last request). */
  get releasedAt(): number {
    return this.#releasedAt;
  }

  /** A legacy SSE session lives on its stream: while open, the client is connected. */
  get streaming(): boolean {
    return !this.#closed;
  }

  async start(): Promise<void> {
    this.res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache, no-transform", connection: "keep-alive" });
    this.res.write(`event: endpoint\ndata: ${this.messagePath}?sessionId=${this.sessionId}\n\n`);
    // Intermediaries cut idle connections; a comment line every 15 s keeps this one alive.
    this.#keepalive = setInterval(() => this.#write(": keepalive\n\n"), 15_000).unref();
  }

  async send(message: JSONRPCMessage): Promise<void> {
    if (this.#closed) throw new Error("SSE stream is closed");
    const m = message as Message;
    const isResponse = m.method === undefined && m.id !== undefined;
    if (isResponse && this.#inFlight.delete(m.id!)) this.#releasedAt = Date.now();
    // Answers here are not tied to one POST: each is bounded on its own.
    const data = isResponse ? serialiseAnswer(m, 0, this.limits.maxResponseBytes).text : JSON.stringify(message);
    this.#write(`event: message\ndata: ${data}\n\n`);
  }

  /**
   * Whether these posted messages ask something (other than ping) of a session that no
   * initialize has started. That is what a reconnecting client does: the SDK's EventSource
   * reopens the stream on its own after a proxy restart, is handed a new session and endpoint,
   * and keeps posting calls as if its old session were still there. Answering each with a
   * JSON-RPC error would fail it for good; the binding answers 404 instead, the transports'
   * shared signal that a session is gone and the client must start over.
   */
  asksBeforeInitialize(messages: readonly JSONRPCMessage[]): boolean {
    if (this.#initializeSeen) return false;
    for (const message of messages as ReadonlyArray<{ id?: unknown; method?: unknown }>) {
      if (message.method === "initialize") return false;
      if (message.id !== undefined && typeof message.method === "string" && message.method !== "ping") return true;
    }
    return false;
  }

  /** A message the client posted; the POST is answered 202 by the binding. */
  receive(message: JSONRPCMessage, info: RequestInfo): void {
    if ((message as { method?: unknown }).method === "initialize") this.#initializeSeen = true;
    const m = message as Message;
    if (typeof m.method === "string" && m.id !== undefined) this.#inFlight.add(m.id);
    const extra: ServedMessageExtra = { info };
    this.onmessage?.(message, extra);
  }

  /** A request the session will not answer (the client cancelled it): no longer under way. */
  abandon(requestId: RequestId): void {
    if (this.#inFlight.delete(requestId)) this.#releasedAt = Date.now();
  }

  async close(): Promise<void> {
    this.res.end();
    this.#finish();
  }

  /** A reader too far behind is cut off: the stream closes, and with it the session. */
  #write(chunk: string): void {
    writeGuarded(this.res, chunk, this.limits.guard, "a legacy SSE stream");
  }

  #finish(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#keepalive);
    this.onclose?.();
  }
}
