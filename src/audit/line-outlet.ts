import pino from "pino";

/** How an outlet tells its owner what happened to the bytes it was given. */
export interface OutletEvents {
  /** Some bytes reached the OS. */
  readonly progress: (outlet: LineOutlet, bytes: number) => void;
  /** A write (or the close) failed; `lostLines` were accepted but are not (wholly) on disk. Called once per outlet. */
  readonly failed: (outlet: LineOutlet, error: unknown, lostLines: number) => void;
}

type Destination = ReturnType<typeof pino.destination>;

/**
 * How long lines wait to be written together. Under load a request completes every few hundred
 * microseconds, and a write call per line costs more than the line; 10 ms gathers dozens while
 * keeping a line's way to disk far shorter than anyone reading the trail would notice.
 */
const BATCH_WINDOW_MS = 10;

/**
 * One open file or descriptor, written asynchronously through pino's destination (sonic-boom),
 * which batches lines into few write calls and retries a busy pipe. It counts what it was given
 * against what reached the OS, because sonic-boom's own flush does not wait when nothing is
 * held back for batching, and because after a failure the owner must know how many lines were lost.
 */
export class LineOutlet {
  #accepted = 0;
  #written = 0;
  /** Running byte offset at which each accepted line (or batch) ends, oldest first from #head. */
  #ends: number[] = [];
  #lineCounts: number[] = [];
  #head = 0;
  #failed = false;
  #closed = false;
  #ended: Promise<void> | undefined;
  /** Lines given during this turn of the event loop, handed on together after it (one write call, not one per request). */
  #batch: string[] = [];
  #batchLines = 0;
  #batchScheduled = false;

  private constructor(
    private readonly destination: Destination,
    private readonly events: OutletEvents,
  ) {
    destination.on("write", (bytes: number) => this.#onWrite(bytes));
    // Always listened to: an 'error' event without a listener would throw out of the event loop.
    destination.on("error", (error: unknown) => this.#fail(error));
  }

  /** Opens a file for appending (created with mode 0640) or wraps fd 1 or 2; rejects when it cannot be opened. */
  static open(target: string | number, events: OutletEvents): Promise<LineOutlet> {
    return new Promise((resolve, reject) => {
      const destination = pino.destination({ dest: target, sync: false, append: true, mkdir: false, mode: 0o640 });
      const onError = (error: unknown) => {
        destination.off("ready", onReady);
        reject(error);
      };
      const onReady = () => {
        destination.off("error", onError);
        resolve(new LineOutlet(destination, events));
      };
      destination.once("error", onError);
      destination.once("ready", onReady);
    });
  }

  /** Bytes given but not yet written. */
  get pendingBytes(): number {
    return this.#failed ? 0 : this.#accepted - this.#written;
  }

  /**
   * Hands `lines` complete lines (as one text ending in a newline) to the OS, asynchronously.
   * Lines given within BATCH_WINDOW_MS go out in one write call, not one each.
   */
  write(text: string, bytes: number, lines: number): void {
    if (this.#failed) return;
    this.#accepted += bytes;
    this.#batch.push(text);
    this.#batchLines += lines;
    if (!this.#batchScheduled) {
      this.#batchScheduled = true;
      setTimeout(() => this.#handOn(), BATCH_WINDOW_MS).unref();
    }
  }

  #handOn(): void {
    this.#batchScheduled = false;
    if (this.#failed || this.#batch.length === 0) return;
    const text = this.#batch.length === 1 ? this.#batch[0]! : this.#batch.join("");
    this.#ends.push(this.#accepted);
    this.#lineCounts.push(this.#batchLines);
    this.#batch = [];
    this.#batchLines = 0;
    this.destination.write(text);
  }

  /** Writes what is pending, then closes (a descriptor 1 or 2 stays open). Never rejects. */
  end(): Promise<void> {
    if (this.#failed) return Promise.resolve();
    this.#handOn();
    this.#ended ??= new Promise<void>((resolve) => {
      this.destination.once("close", () => resolve());
      this.destination.once("error", () => resolve());
      this.#closed = true;
      this.destination.end();
    });
    return this.#ended;
  }

  /** Drops what is pending and closes without waiting for it. */
  destroy(): void {
    this.#failed = true;
    this.#close();
  }

  #close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.destination.destroy();
  }

  #onWrite(bytes: number): void {
    this.#written += bytes;
    while (this.#head < this.#ends.length && this.#ends[this.#head]! <= this.#written) this.#head++;
    // Compact now and then so a long-lived outlet does not keep every offset it ever wrote.
    if (this.#head > 1024) {
      this.#ends = this.#ends.slice(this.#head);
      this.#lineCounts = this.#lineCounts.slice(this.#head);
      this.#head = 0;
    }
    this.events.progress(this, bytes);
  }

  #fail(error: unknown): void {
    if (this.#failed) return;
    let lost = this.#batchLines;
    this.#batch = [];
    this.#batchLines = 0;
    for (let index = this.#head; index < this.#lineCounts.length; index++) lost += this.#lineCounts[index]!;
    this.#failed = true;
    this.#ends = [];
    this.#lineCounts = [];
    this.#close();
    this.events.failed(this, error, lost);
  }
}
