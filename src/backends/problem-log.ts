/**
 * Reports a backend's protocol problems (garbage lines, oversized messages) to the log without
 * letting a chatty or hostile backend flood it: at most `perWindow` lines per window, then one
 * line saying how many were left out. One budget per backend name, shared by all its upstream
 * sessions, so 64 per-client sessions of one broken server still log like one.
 */
export class ProblemLog {
  static readonly #byBackend = new Map<string, ProblemLog>();
  #windowStart = 0;
  #inWindow = 0;
  #suppressed = 0;

  constructor(
    private readonly perWindow = 10,
    private readonly windowMs = 60_000,
  ) {}

  /** The budget shared by every upstream session of one backend. */
  static forBackend(name: string): ProblemLog {
    let log = ProblemLog.#byBackend.get(name);
    if (!log) ProblemLog.#byBackend.set(name, (log = new ProblemLog()));
    return log;
  }

  report(line: string, write: (line: string) => void): void {
    const now = Date.now();
    if (now - this.#windowStart >= this.windowMs) {
      if (this.#suppressed > 0) write(`${this.#suppressed} more such problems were not logged in the last ${Math.round(this.windowMs / 1000)} s`);
      this.#windowStart = now;
      this.#inWindow = 0;
      this.#suppressed = 0;
    }
    if (this.#inWindow++ < this.perWindow) write(line);
    else this.#suppressed++;
  }
}
