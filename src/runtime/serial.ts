/**
 * Runs work one at a time per key, in the order it was asked for: what several clients ask
 * of one shared backend (subscribing to one URI, setting its level) must reach it in an order
 * that leaves it in the state the last answer described.
 */
export class Serial {
  readonly #tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const next = previous.then(work, work);
    const tail = next.catch(() => undefined);
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return next;
  }
}
