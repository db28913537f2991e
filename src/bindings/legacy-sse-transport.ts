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

  /** A message the client posted; the POST is answered 202 by the binding. */
  receive(message: JSONRPCMessage, info: RequestInfo): void {
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
