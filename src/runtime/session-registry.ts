/** Something a binding opened for one client, whichever binding it was. */
export interface RegisteredSession {
  readonly sessionId: string;
  close(): Promise<void>;
}

/**
 * Every client session of the gateway, whichever binding opened it: the one place that can
 * reach them all (to close them, and later to tell each of a config change).
 */
export class SessionRegistry<S extends RegisteredSession = RegisteredSession> {
  readonly #sessions = new Map<string, S>();

  add(session: S): void {
    this.#sessions.set(session.sessionId, session);
  }

  delete(session: S): void {
    if (this.#sessions.get(session.sessionId) === session) this.#sessions.delete(session.sessionId);
  }

  /** Every session open now (a reload tells each of its new surface). */
  all(): S[] {
    return [...this.#sessions.values()];
  }

  get size(): number {
    return this.#sessions.size;
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.#sessions.values()].map((s) => s.close()));
  }
}
