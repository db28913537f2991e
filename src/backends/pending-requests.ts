import type { JSONRPCMessage, Result, Transport } from "@modelcontextprotocol/client";
import type { Cancellation } from "../core/cancellation.js";

/** String ids cannot collide with the SDK client's numeric ids on the same connection. */
const ID_PREFIX = "gw-";

interface Pending {
  resolve(result: Result): void;
  reject(error: unknown): void;
  timer: NodeJS.Timeout | undefined;
  progressToken: string | undefined;
  stopListening: (() => void) | undefined;
}

export interface PendingOptions {
  readonly cancellation?: Cancellation;
  readonly timeoutMs: number;
  readonly onTimeout: () => unknown;
  readonly progressToken?: string;
}

/**
 * The proxy's own requests on an upstream connection, outside the SDK client's bookkeeping:
 * one id, one promise, one timer each, and the result handed back exactly as it came. The
 * SDK client still owns the handshake, server→client requests and notifications.
 */
export class PendingRequests {
  readonly #pending = new Map<string, Pending>();
  #next = 0;

  constructor(private readonly transport: Transport) {}

  /** Takes the responses meant for us off the connection; returns false for everything else. */
  settle(message: JSONRPCMessage): boolean {
    const m = message as { id?: unknown; result?: Result; error?: { code: number; message: string; data?: unknown } };
    if (typeof m.id !== "string" || !m.id.startsWith(ID_PREFIX)) return false;
    const pending = this.#pending.get(m.id);
    if (!pending) return true; // late answer to a request we gave up on
    this.#forget(m.id, pending);
    if (m.error) pending.reject({ code: m.error.code, message: m.error.message, ...(m.error.data === undefined ? {} : { data: m.error.data }) });
    else pending.resolve(m.result ?? {});
    return true;
  }

  send(method: string, params: Record<string, unknown> | undefined, options: PendingOptions): Promise<Result> {
    const id = `${ID_PREFIX}${++this.#next}`;
    return new Promise<Result>((resolve, reject) => {
      const pending: Pending = { resolve, reject, timer: undefined, progressToken: options.progressToken, stopListening: undefined };
      pending.timer = setTimeout(() => this.#cancel(id, "timed out", options.onTimeout()), options.timeoutMs);
      this.#pending.set(id, pending);
      const cancellation = options.cancellation;
      if (cancellation) {
        pending.stopListening = cancellation.onCancel((reason) => this.#cancel(id, String(reason ?? "cancelled"), reason));
        if (!this.#pending.has(id)) return;
      }
      this.transport.send({ jsonrpc: "2.0", id, method, ...(params === undefined ? {} : { params }) } as JSONRPCMessage).catch((error: unknown) => {
        const current = this.#pending.get(id);
        if (current) {
          this.#forget(id, current);
          reject(error);
        }
      });
    });
  }

  /** Progress counts as a sign of life: the call's timer starts again. */
  touch(progressToken: string): void {
    for (const pending of this.#pending.values()) if (pending.progressToken === progressToken) pending.timer?.refresh();
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
