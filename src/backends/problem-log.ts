/**
 * Reports a backend's protocol problems (garbage lines, oversized messages) to the log without
 * letting a chatty or hostile backend flood it: at most `perWindow` lines per window, then one
 * line saying how many were left out.
 */
export class ProblemLog {
  #windowStart = 0;
  #inWindow = 0;
  #suppressed = 0;

  constructor(
    private readonly write: (line: string) => void,
    private readonly perWindow = 10,
    private readonly windowMs = 60_000,
  ) {}

  report(line: string): void {
    const now = Date.now();
    if (now - this.#windowStart >= this.windowMs) {
      if (this.#suppressed > 0) this.write(`${this.#suppressed} more such problems were not logged in the last ${Math.round(this.windowMs / 1000)} s`);
      this.#windowStart = now;
      this.#inWindow = 0;
      this.#suppressed = 0;
    }
    if (this.#inWindow++ < this.perWindow) this.write(line);
    else this.#suppressed++;
  }
}
