/**
 * Counts upstream sessions per backend across all client sessions, so that abandoned or
 * numerous clients cannot pile up more child processes than a backend's `maxSessions`.
 */
export class BackendSlots {
  readonly #used = new Map<string, number>();

  tryAcquire(backend: string, max: number): boolean {
    const used = this.#used.get(backend) ?? 0;
    if (used >= max) return false;
    this.#used.set(backend, used + 1);
    return true;
  }

  release(backend: string): void {
    const used = this.#used.get(backend) ?? 0;
    if (used <= 1) this.#used.delete(backend);
    else this.#used.set(backend, used - 1);
  }
}
