import { randomUUID } from "node:crypto";
import type { ServerResponse } from "node:http";
import type { JSONRPCMessage, Transport } from "@modelcontextprotocol/server";
import type { RequestInfo } from "../core/context.js";
import type { ServedMessageExtra } from "./session-factory.js";

/**
 * The legacy HTTP+SSE server transport (protocol 2024-11-05): one long GET stream carries
 * every server message; the client posts its messages to an endpoint announced on it.
 */
export class LegacySseTransport implements Transport {
  readonly sessionId = randomUUID();
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: Transport["onmessage"];
  #closed = false;
  #initializeSeen = false;
  #keepalive: NodeJS.Timeout | undefined;

  constructor(
    private readonly res: ServerResponse,
    private readonly messagePath: string,
  ) {
    res.on("close", () => this.#finish());
  }

  async start(): Promise<void> {
    this.res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache, no-transform", connection: "keep-alive" });
    this.res.write(`event: endpoint\ndata: ${this.messagePath}?sessionId=${this.sessionId}\n\n`);
    // Intermediaries cut idle connections; a comment line every 15 s keeps this one alive.
    this.#keepalive = setInterval(() => this.res.write(": keepalive\n\n"), 15_000).unref();
  }

  async send(message: JSONRPCMessage): Promise<void> {
    if (this.#closed) throw new Error("SSE stream is closed");
    this.res.write(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
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
    const extra: ServedMessageExtra = { info };
    this.onmessage?.(message, extra);
  }

  async close(): Promise<void> {
    this.res.end();
    this.#finish();
  }

  #finish(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#keepalive);
    this.onclose?.();
  }
}
