import type { Readable, Writable } from "node:stream";
import type { JSONRPCMessage, Transport } from "@modelcontextprotocol/server";
import { errorResponse, ProxyError } from "../core/errors.js";
import { JsonLineReader } from "../core/json-lines.js";

/**
 * The server side of stdio for the one client that started the proxy: a line that is not JSON
 * gets a parse error and the session goes on (the SDK's transport only reports it locally).
 */
export class StdioServerTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: Transport["onmessage"];
  #closed = false;

  constructor(
    private readonly input: Readable,
    private readonly output: Writable,
  ) {}

  async start(): Promise<void> {
    const reader = new JsonLineReader(
      (message) => this.#receive(message),
      (_line, error) => void this.send(errorResponse(null, new ProxyError("PARSE_ERROR", `Parse error: ${error.message}`)) as never),
    );
    this.input.on("data", (chunk: Buffer) => {
      if (!reader.push(chunk)) void this.send(errorResponse(null, new ProxyError("MESSAGE_TOO_LARGE", "message too large")) as never);
    });
    this.input.once("end", () => void this.close());
    // A client that stopped reading (EPIPE) has gone: end the session in order instead of crashing.
    this.output.on("error", () => void this.close());
    this.input.once("close", () => void this.close());
  }

  #receive(message: unknown): void {
    const m = message as { jsonrpc?: unknown; id?: unknown };
    if (typeof message !== "object" || message === null || Array.isArray(message) || m.jsonrpc !== "2.0") {
      const id = typeof m?.id === "string" || typeof m?.id === "number" ? m.id : null;
      void this.send(errorResponse(id, new ProxyError("INVALID_REQUEST", "Invalid Request: not a JSON-RPC 2.0 message")) as never);
      return;
    }
    try {
      this.onmessage?.(message as JSONRPCMessage);
    } catch (error) {
      // One client message that breaks its handling must not take the gateway down with it.
      const id = typeof m.id === "string" || typeof m.id === "number" ? m.id : null;
      this.onerror?.(error as Error);
      void this.send(errorResponse(id, new ProxyError("INVALID_REQUEST", "Invalid Request: the message could not be handled")) as never);
    }
  }

  async send(message: JSONRPCMessage): Promise<void> {
    if (this.#closed) return;
    this.output.write(`${JSON.stringify(message)}\n`);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.onclose?.();
  }
}
