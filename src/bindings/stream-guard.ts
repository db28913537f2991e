import type { ServerResponse } from "node:http";

/**
 * What to do with a client that reads slower than the gateway writes to it. Node buffers
 * whatever the socket cannot take (`writableLength`); without a bound a client that stops
 * reading while a backend streams holds the gateway's memory hostage for as long as it likes.
 */
export interface StreamGuard {
  /** The most bytes one response may have waiting to be sent. */
  readonly maxBufferedBytes: number;
  /** Called once when a stream is cut off, for the (rate-limited) log line. */
  readonly onCut: (what: string, bufferedBytes: number) => void;
}

/**
 * Writes a chunk to a stream unless its reader has fallen more than the bound behind; then
 * the connection is destroyed, which frees its buffer at once (ending it would wait for the
 * reader to drain it). Returns whether the chunk went out.
 */
export function writeGuarded(res: ServerResponse, chunk: string, guard: StreamGuard, what: string): boolean {
  if (res.destroyed || res.writableEnded) return false;
  const buffered = res.writableLength;
  if (buffered + Buffer.byteLength(chunk) > guard.maxBufferedBytes && buffered > 0) {
    cut(res, guard, what, buffered);
    return false;
  }
  res.write(chunk);
  return true;
}

/**
 * A finished answer (a JSON body) is bounded by `maxResponseBytes` already, but a reader that
 * never takes it would keep it in memory forever: while any of it waits to be sent, the
 * connection is cut once a whole `stallMs` passes without the reader taking a byte.
 */
export function endGuarded(res: ServerResponse, guard: StreamGuard, what: string, stallMs: number): void {
  if (res.writableFinished || res.destroyed || res.writableLength === 0) return;
  let last = res.writableLength;
  const timer = setInterval(() => {
    const now = res.writableLength;
    if (res.writableFinished || res.destroyed || now === 0) return clearInterval(timer);
    if (now >= last) {
      clearInterval(timer);
      cut(res, guard, what, now);
    }
    last = now;
  }, stallMs).unref();
  res.once("close", () => clearInterval(timer));
}

function cut(res: ServerResponse, guard: StreamGuard, what: string, buffered: number): void {
  guard.onCut(what, buffered);
  res.destroy();
}
