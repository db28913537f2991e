import { ProxyError } from "./errors.js";

/**
 * A request's cancellation, cheaper than an AbortController: the hot path creates one per call
 * and almost never fires it, and EventTarget-based signals cost more than the call's own work.
 */
export class Cancellation {
  #reason: unknown;
  #cancelled = false;
  #listeners: Array<(reason: unknown) => void> | undefined;

  get cancelled(): boolean {
    return this.#cancelled;
  }

  get reason(): unknown {
    return this.#reason;
  }

  /** Runs `listener` once when cancelled (at once if already cancelled); returns how to stop listening. */
  onCancel(listener: (reason: unknown) => void): () => void {
    if (this.#cancelled) {
      listener(this.#reason);
      return () => undefined;
    }
    (this.#listeners ??= []).push(listener);
    return () => {
      const list = this.#listeners;
      if (list) list.splice(list.indexOf(listener) >>> 0, 1);
    };
  }

  cancel(reason: unknown): void {
    if (this.#cancelled) return;
    this.#cancelled = true;
    this.#reason = reason;
    const listeners = this.#listeners;
    this.#listeners = undefined;
    for (const listener of listeners ?? []) listener(reason);
  }

  /** Bridges an AbortSignal (from the SDK's own dispatch) into a Cancellation. */
  static fromSignal(signal: AbortSignal): Cancellation {
    const cancellation = new Cancellation();
    if (signal.aborted) cancellation.cancel(signal.reason);
    else signal.addEventListener("abort", () => cancellation.cancel(signal.reason), { once: true });
    return cancellation;
  }
}

/**
 * A cancellation reason as text: a client's string, cut to a sane length. Anything else a
 * client put there (an object nested 10,000 deep) is never stringified: that would overflow
 * the stack.
 */
export function reasonText(reason: unknown, fallback: string): string {
  return typeof reason === "string" && reason !== "" ? reason.slice(0, 500) : fallback;
}

/**
 * `work`, unless the request is cancelled first: then a REQUEST_CANCELLED rejection at once,
 * and whatever `work` does later is ignored. For what a request holds (a concurrency place, a
 * circuit's trial): a client that has gone must not keep it for as long as its call might take,
 * or forever if that call never settles.
 */
export function untilCancelled<T>(cancellation: Cancellation, work: Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const stop = cancellation.onCancel((reason) => {
      work.catch(() => undefined);
      reject(new ProxyError("REQUEST_CANCELLED", `request cancelled: ${reasonText(reason, "cancelled")}`));
    });
    work.then(
      (value) => {
        stop();
        resolve(value);
      },
      (error: unknown) => {
        stop();
        reject(error);
      },
    );
  });
}
