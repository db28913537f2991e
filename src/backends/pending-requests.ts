import type { JSONRPCMessage, Result, Transport } from "@modelcontextprotocol/client";
import { type Cancellation, reasonText } from "../core/cancellation.js";
import { ProxyError } from "../core/errors.js";

/** A JSON-RPC error the backend answered with: passed to the client exactly as it came. */
export class BackendRpcError {
  constructor(
    readonly code: number,
    readonly message: string,
    readonly data?: unknown,
  ) {}
}

/** String ids cannot collide with the SDK client's numeric ids on the same connection. */
const ID_PREFIX = "gw-";

interface Pending {
  resolve(result: Result): void;
  reject(error: unknown): void;
  timer: NodeJS.Timeout | undefined;
  readonly arm: () => NodeJS.Timeout;
  progressToken: string | undefined;
  stopListening: (() => void) | undefined;
}

export interface PendingOptions {
  readonly cancellation?: Cancellation;
  readonly timeoutMs: number;
  readonly onTimeout: () => unknown;
  readonly progressToken?: string;
  /** HTTP headers for this one request (a modern tools/call's Mcp-Param-*); stdio has none. */
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * The proxy's own requests on an upstream connection, outside the SDK client's bookkeeping:
 * one id, one promise, one timer each, and the result handed back exactly as it came. The
 * SDK client still owns the handshake, server→client requests and notifications.
 */
export class PendingRequests {
  readonly #pending = new Map<string, Pending>();
  #next = 0;
  #suspended = 0;

  constructor(private readonly transport: Transport) {}

  /** Takes the responses meant for us off the connection; returns false for everything else. */
  settle(message: JSONRPCMessage): boolean {
    const m = message as { id?: unknown; result?: Result; error?: { code: number; message: string; data?: unknown } };
    if (typeof m.id !== "string" || !m.id.startsWith(ID_PREFIX)) return false;
    const pending = this.#pending.get(m.id);
    if (!pending) return true; // late answer to a request we gave up on
    this.#forget(m.id, pending);
    if (m.error) pending.reject(new BackendRpcError(m.error.code, m.error.message, m.error.data));
    else pending.resolve(m.result ?? {});
    return true;
  }

  send(method: string, params: Record<string, unknown> | undefined, options: PendingOptions): Promise<Result> {
    const id = `${ID_PREFIX}${++this.#next}`;
    return new Promise<Result>((resolve, reject) => {
      const arm = () => setTimeout(() => this.#cancel(id, "timed out", options.onTimeout()), options.timeoutMs);
      const pending: Pending = { resolve, reject, timer: undefined, arm, progressToken: options.progressToken, stopListening: undefined };
      if (this.#suspended === 0) pending.timer = arm();
      this.#pending.set(id, pending);
      const cancellation = options.cancellation;
      if (cancellation) {
        pending.stopListening = cancellation.onCancel((reason) => {
          const text = reasonText(reason, "cancelled");
          this.#cancel(id, text, new ProxyError("REQUEST_CANCELLED", `request cancelled: ${text}`));
        });
        if (!this.#pending.has(id)) return;
      }
      const message = { jsonrpc: "2.0", id, method, ...(params === undefined ? {} : { params }) } as JSONRPCMessage;
      this.transport.send(message, options.headers === undefined ? undefined : { headers: options.headers }).catch((error: unknown) => {
        const current = this.#pending.get(id);
        if (current) {
          this.#forget(id, current);
          reject(error);
        }
      });
    });
  }

  /** One request fails now, with its own error (its answer was unusable); the connection is fine. */
  fail(id: string, error: unknown): void {
    const pending = this.#pending.get(id);
    if (!pending) return;
    this.#forget(id, pending);
    pending.reject(error);
  }

  /** Progress counts as a sign of life: the call's timer starts again. */
  touch(progressToken: string): void {
    for (const pending of this.#pending.values()) if (pending.progressToken === progressToken) pending.timer?.refresh();
  }

  /**
   * While the backend waits on the client (sampling, elicitation: often a person), its calls
   * are not late: their timers stop, and start afresh once every such request is answered.
   */
  suspendTimers(): void {
    if (this.#suspended++ > 0) return;
    for (const pending of this.#pending.values()) {
      clearTimeout(pending.timer);
      pending.timer = undefined;
    }
  }

  resumeTimers(): void {
    if (--this.#suspended > 0) return;
    this.#suspended = 0;
    for (const pending of this.#pending.values()) pending.timer ??= pending.arm();
  }

  /** The connection is gone: every open request fails with the same error. */
  failAll(error: unknown): void {
    for (const [id, pending] of this.#pending) {
      this.#forget(id, pending);
      pending.reject(error);
    }
  }

  #cancel(id: string, reason: string, error: unknown): void {
    const pending = this.#pending.get(id);
    if (!pending) return;
    this.#forget(id, pending);
    pending.reject(error);
    void this.transport.send({ jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: id, reason } } as JSONRPCMessage).catch(() => undefined);
  }

  #forget(id: string, pending: Pending): void {
    clearTimeout(pending.timer);
    pending.stopListening?.();
    this.#pending.delete(id);
  }
}
