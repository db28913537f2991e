import { readFileTail } from "./file-tail.js";
import { GENESIS, chainedLine, plainLine, readChainedLine } from "./line-format.js";
import { LineOutlet } from "./line-outlet.js";
import { rotateFiles } from "./rotate-files.js";
import type { AuditLog, AuditLogOptions, AuditSinkSpec } from "./types.js";

type Report = (message: string, error?: unknown) => void;

const DEFAULT_RETRY_MS = 1000;
const DEFAULT_MAX_PENDING = 16 * 1024 * 1024;
/** Shutdown waits this long for pending lines before it gives up on them (a stalled pipe must not hold it). */
const CLOSE_GRACE_MS = 5000;

/**
 * Opens the audit sink. Never rejects: a sink that cannot be opened is reported, starts out not
 * writable and retries in the background. For a chained file the chain resumes from the file's
 * last complete line (only the file's end is read).
 */
export async function openAuditLog(spec: AuditSinkSpec, report: Report, options: AuditLogOptions = {}): Promise<AuditLog> {
  const log = new SinkAuditLog(spec, report, options);
  await log.start();
  return log;
}

/** One outage: from the first failure to the first line written after it. */
interface Outage {
  dropped: number;
}

class SinkAuditLog implements AuditLog {
  readonly #where: string;
  readonly #target: string | number;
  readonly #chain: boolean;
  readonly #retryMs: number;
  readonly #maxPending: number;

  #state: "open" | "rotating" | "broken" | "closed" = "broken";
  #outlet: LineOutlet | undefined;
  /** Outlets of rotated files still draining into FILE.1. */
  readonly #retiring = new Set<LineOutlet>();
  /**
   * Lines accepted (and chained) while rotation opens the next file, in order, one group per
   * file still to come: a burst can fill several files before the first rename is done.
   */
  #held: Array<{ texts: string[]; bytes: number }> = [];
  #heldBytes = 0;
  #lastHash = GENESIS;
  #fileBytes = 0;
  #regularFile = false;
  /** The file ends in a fragment: the next line starts with a newline so it does not run on from it. */
  #needsNewline = false;
  #outage: Outage | undefined;
  #overflow: Outage | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  readonly counts = { written: 0, dropped: 0 };
  /** An open or rotation under way; close waits for it. */
  #busy: Promise<void> | undefined;
  #closing: Promise<void> | undefined;
  #waiters: Array<() => void> = [];

  constructor(
    private readonly spec: AuditSinkSpec,
    private readonly report: Report,
    options: AuditLogOptions,
  ) {
    if (spec.sink === "file" && !spec.file) throw new TypeError('openAuditLog: a "file" sink needs a file path');
    this.#target = spec.sink === "file" ? spec.file! : spec.sink === "stdout" ? 1 : 2;
    this.#where = spec.sink === "file" ? spec.file! : spec.sink;
    this.#chain = spec.chain && spec.sink === "file";
    this.#retryMs = options.retryIntervalMs ?? DEFAULT_RETRY_MS;
    this.#maxPending = options.maxPendingBytes ?? DEFAULT_MAX_PENDING;
  }

  get writable(): boolean {
    return (this.#state === "open" || this.#state === "rotating") && this.#overflow === undefined;
  }

  get confirmed(): boolean {
    return this.writable && this.#outage === undefined;
  }

  async start(): Promise<void> {
    await this.#reopen();
  }

  write(record: Readonly<Record<string, unknown>>): void {
    if (this.#state === "closed" || this.#closing) return;
    if (this.#state === "broken") {
      this.#outage!.dropped++;
      this.counts.dropped++;
      return;
    }
    let line: string;
    let hash: string | undefined;
    try {
      if (this.#chain) ({ line, hash } = chainedLine(record, this.#lastHash));
      else line = plainLine(record);
    } catch (error) {
      this.counts.dropped++;
      this.report("audit record dropped: it cannot be written as JSON", error);
      return;
    }
    const text = `${this.#needsNewline ? "\n" : ""}${line}\n`;
    const bytes = Buffer.byteLength(text);
    if (this.#overflow || this.#pendingBytes() + bytes > this.#maxPending) {
      this.#dropForOverflow();
      return;
    }
    const rotate = this.spec.rotate;
    if (rotate && this.#regularFile && this.#fileBytes > 0 && this.#fileBytes + bytes > rotate.maxBytes) {
      if (this.#state === "open") this.#startRotation(rotate.keep);
      this.#held.push({ texts: [], bytes: 0 });
      this.#fileBytes = 0;
    }
    this.counts.written++;
    // Accepted: only now does the line become part of the chain, in the order write() was called.
    if (hash !== undefined) this.#lastHash = hash;
    this.#needsNewline = false;
    this.#fileBytes += bytes;
    if (this.#state === "rotating") {
      const group = this.#held.at(-1)!;
      group.texts.push(text);
      group.bytes += bytes;
      this.#heldBytes += bytes;
    } else {
      this.#outlet!.write(text, bytes, 1);
    }
  }

  flush(): Promise<void> {
    return new Promise((resolve) => {
      if (this.#settled()) resolve();
      else this.#waiters.push(resolve);
    });
  }

  close(): Promise<void> {
    this.#closing ??= this.#shutDown();
    return this.#closing;
  }

  async #shutDown(): Promise<void> {
    clearTimeout(this.#retryTimer);
    await this.#busy;
    let timer: NodeJS.Timeout | undefined;
    const drained = await Promise.race([
      this.flush().then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), CLOSE_GRACE_MS))),
    ]);
    clearTimeout(timer);
    const outlets = [...this.#retiring, ...(this.#outlet ? [this.#outlet] : [])];
    this.#outlet = undefined;
    this.#retiring.clear();
    this.#state = "closed";
    if (drained) await Promise.all(outlets.map((outlet) => outlet.end()));
    else for (const outlet of outlets) outlet.destroy();
    if (this.#outage && this.#outage.dropped > 0) this.report(`audit sink ${this.#where} closed; ${this.#outage.dropped} records were dropped while it could not write`);
    this.#settle();
  }

  #pendingBytes(): number {
    let pending = this.#heldBytes + (this.#outlet?.pendingBytes ?? 0);
    for (const outlet of this.#retiring) pending += outlet.pendingBytes;
    return pending;
  }

  /** Nothing more will reach the OS without new writes (or the sink is broken and nothing will). */
  #settled(): boolean {
    if (this.#state === "broken" || this.#state === "closed") return true;
    return this.#pendingBytes() === 0;
  }

  #settle(): void {
    if (!this.#settled() || this.#waiters.length === 0) return;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const resolve of waiters) resolve();
  }

  #dropForOverflow(): void {
    if (!this.#overflow) {
      this.#overflow = { dropped: 0 };
      this.report(`audit sink ${this.#where} is falling behind (${this.#maxPending} bytes waiting); dropping records until it catches up`);
    }
    this.#overflow.dropped++;
    this.counts.dropped++;
  }

  readonly #events = {
    progress: (_outlet: LineOutlet, bytes: number) => {
      if (bytes > 0 && this.#outage) {
        this.report(`audit sink ${this.#where} writes again; ${this.#outage.dropped} records were dropped while it could not`);
        this.#outage = undefined;
      }
      if (this.#overflow && this.#pendingBytes() <= this.#maxPending / 2) {
        this.report(`audit sink ${this.#where} caught up; ${this.#overflow.dropped} records were dropped while it was behind`);
        this.#overflow = undefined;
      }
      this.#settle();
    },
    failed: (outlet: LineOutlet, error: unknown, lostLines: number) => {
      if (this.#state === "closed") return;
      if (this.#retiring.delete(outlet)) {
        // The rotated file failed as it drained; the current file is unaffected.
        this.counts.dropped += lostLines;
        if (lostLines > 0) this.report(`audit sink ${this.#where}: ${lostLines} records were lost finishing the rotated file`, error);
        this.#settle();
        return;
      }
      if (outlet === this.#outlet) this.#fail(error, lostLines);
    },
  };

  /** Enters (or stays in) an outage: reported once, records dropped, a reopen scheduled. */
  #fail(error: unknown, lost: number): void {
    this.#outlet?.destroy();
    this.#outlet = undefined;
    for (const group of this.#held) lost += group.texts.length;
    this.#held = [];
    this.#heldBytes = 0;
    this.#state = "broken";
    this.counts.dropped += lost;
    if (this.#outage) this.#outage.dropped += lost;
    else {
      this.#outage = { dropped: lost };
      const seconds = this.#retryMs / 1000;
      this.report(`audit sink ${this.#where} cannot write; dropping records until it can (retrying every ${seconds} s)`, error);
    }
    if (!this.#closing) {
      this.#retryTimer = setTimeout(() => void this.#reopen(), this.#retryMs);
      this.#retryTimer.unref();
    }
    this.#settle();
  }

  #reopen(): Promise<void> {
    const attempt = this.#openOutlet().then(
      (outlet) => {
        if (this.#closing) {
          void outlet.end();
          return;
        }
        this.#outlet = outlet;
        this.#state = "open";
        // The outage ends when a line lands; this one says so in the trail itself.
        if (this.#outage) this.write({ time: new Date().toISOString(), event: "audit-sink", status: "reopened", dropped: this.#outage.dropped });
      },
      (error: unknown) => this.#fail(error, 0),
    );
    this.#busy = attempt;
    return attempt;
  }

  async #openOutlet(): Promise<LineOutlet> {
    if (typeof this.#target === "number") return LineOutlet.open(this.#target, this.#events);
    const tail = await readFileTail(this.#target);
    this.#regularFile = tail.regular;
    this.#fileBytes = tail.size;
    this.#needsNewline = tail.endsCut;
    if (this.#chain) this.#lastHash = await this.#resumeChain(tail.lastLine, tail.size);
    return LineOutlet.open(this.#target, this.#events);
  }

  /** The hash the next line links to: the file's last complete line, else the newest rotated file's. */
  async #resumeChain(lastLine: Buffer | undefined, size: number): Promise<string> {
    if (lastLine) {
      const reading = readChainedLine(lastLine);
      if (reading.kind === "line") return reading.hash;
      this.report(`audit chain: the last complete line of ${this.#where} is not a valid chained line; a new chain starts after it`);
      return GENESIS;
    }
    if (size > 0) {
      this.report(`audit chain: ${this.#where} has no complete line to continue from; a new chain starts`);
      return GENESIS;
    }
    if (this.spec.rotate) {
      // An empty file right after a rotation: continue from the file it was rotated into.
      const previous = await readFileTail(`${this.#target as string}.1`).catch(() => undefined);
      if (previous?.lastLine) {
        const reading = readChainedLine(previous.lastLine);
        if (reading.kind === "line") return reading.hash;
      }
    }
    return GENESIS;
  }

  /** Renames files and opens the next one for each held group in turn; writes stay in order meanwhile. */
  #startRotation(keep: number): void {
    const path = this.#target as string;
    let old = this.#outlet!;
    this.#outlet = undefined;
    this.#state = "rotating";
    const rotation = (async () => {
      try {
        for (;;) {
          this.#retire(old);
          await rotateFiles(path, keep);
          const fresh = await LineOutlet.open(path, this.#events);
          if (this.#state !== "rotating") {
            fresh.destroy();
            return;
          }
          const group = this.#held.shift()!;
          this.#heldBytes -= group.bytes;
          if (group.texts.length > 0) fresh.write(group.texts.join(""), group.bytes, group.texts.length);
          if (this.#held.length === 0) {
            this.#outlet = fresh;
            this.#state = "open";
            return;
          }
          old = fresh;
        }
      } catch (error) {
        if (this.#state === "rotating") this.#fail(error, 0);
      }
    })();
    this.#busy = rotation;
  }

  /** Lets a rotated file's outlet drain into it (same inode after the rename) and close. */
  #retire(outlet: LineOutlet): void {
    this.#retiring.add(outlet);
    void outlet.end().then(() => {
      this.#retiring.delete(outlet);
      this.#settle();
    });
  }
}
