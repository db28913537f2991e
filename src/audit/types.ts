/** Where audit lines go and how the sink behaves when it cannot write. */
export interface AuditSinkSpec {
  readonly sink: "stderr" | "stdout" | "file";
  /** Absolute path when sink is "file". */
  readonly file?: string;
  /** Tamper-evident hash chain (file sink only; ignored for stderr and stdout). */
  readonly chain: boolean;
  /** "log" (default): a failing sink is logged and requests go on; "refuse": requests fail closed while it cannot write. */
  readonly onFailure: "log" | "refuse";
  /** Optional size-based rotation of the file sink: rename to FILE.1 … FILE.keep when it passes maxBytes. */
  readonly rotate?: { readonly maxBytes: number; readonly keep: number };
}

/** The sink the gateway hands one record per request (and per refused authentication). */
export interface AuditLog {
  /** Queues one record (a plain JSON-able object). Never throws, never blocks the caller on I/O. */
  write(record: Readonly<Record<string, unknown>>): void;
  /** False while the sink cannot write (after a write/open error, until a retry succeeds). The gateway refuses requests while false when onFailure is "refuse". */
  readonly writable: boolean;
  /**
   * Writable, and no outage is waiting for its first successful write: a reopened file on a
   * full disk opens fine and fails on the next write. What fails closed (onFailure "refuse")
   * reads this, so no request runs unrecorded in that window; the sink writes an
   * `event: "audit-sink"` line on reopening, which ends the outage when it lands.
   */
  readonly confirmed: boolean;
  /**
   * Lines accepted for writing, and lines dropped (not written, or lost after being accepted:
   * an outage, an overflow, a record that is not JSON), since the sink opened. For /metrics.
   */
  readonly counts: { readonly written: number; readonly dropped: number };
  /** Resolves when everything written so far has reached the OS. */
  flush(): Promise<void>;
  /** Flushes and closes (shutdown). */
  close(): Promise<void>;
}

/** Knobs with sensible defaults; tests shorten the retry interval. */
export interface AuditLogOptions {
  /** How long a broken sink waits before trying to reopen (default 1000 ms). */
  readonly retryIntervalMs?: number;
  /** Bytes accepted but not yet written beyond which records are dropped rather than buffered (default 16 MiB). */
  readonly maxPendingBytes?: number;
}

/** What `verifyAuditFile` found. */
export type VerifyResult =
  | {
      readonly ok: true;
      readonly lines: number;
      /** set when the file's first line continues a chain from an earlier (rotated) file */
      readonly continuesFrom?: string;
      /** Lines cut off by an interrupted write (a crash, a full disk) that the chain links over; see docs/audit.md. */
      readonly cutLines?: readonly number[];
    }
  | { readonly ok: false; readonly lines: number; readonly line: number /* 1-based, the first broken line */; readonly reason: string };
