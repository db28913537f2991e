import type { Logger } from "pino";

/**
 * Warns about a hit limit without letting a hostile client flood the log: per kind of event,
 * the first line in each window is written, and the next one written says how many were left
 * out meanwhile. A flood of refused connections costs a line every `windowMs`, not one each.
 */
export class LogBudget {
  readonly #windows = new Map<string, { start: number; suppressed: number }>();

  constructor(
    private readonly logger: Logger,
    private readonly windowMs = 10_000,
  ) {}

  /** `key` separates events of one reason that deserve their own line (which kind of stream was cut). */
  warn(reason: string, fields: Record<string, unknown>, message: string, key = reason): void {
    const now = Date.now();
    const window = this.#windows.get(key);
    if (window && now - window.start < this.windowMs) {
      window.suppressed++;
      return;
    }
    const suppressed = window?.suppressed ?? 0;
    this.#windows.set(key, { start: now, suppressed: 0 });
    this.logger.warn({ ...fields, reason, ...(suppressed > 0 ? { suppressedSinceLast: suppressed } : {}) }, message);
  }
}
