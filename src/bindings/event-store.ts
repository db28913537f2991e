/**
 * Keeps the last SSE events of each session, already serialised, so a client that lost its
 * stream can resume with Last-Event-ID. Bounded by count and by bytes: the oldest events go
 * first, so a client that never comes back (or a backend that streams without pause) costs at
 * most `capacity` events and `maxBytes` bytes.
 */
export class BoundedEventStore {
  readonly #events = new Map<string, { streamId: string; data: string }>();
  #sequence = 0;
  #bytes = 0;

  constructor(
    private readonly capacity = 512,
    private readonly maxBytes = 2 * 1024 * 1024,
  ) {}

  /** Keeps one event's data (its JSON text) and returns its id. */
  store(streamId: string, data: string): string {
    const eventId = `${streamId}_${(++this.#sequence).toString(36)}`;
    this.#events.set(eventId, { streamId, data });
    this.#bytes += data.length;
    while (this.#events.size > this.capacity || (this.#bytes > this.maxBytes && this.#events.size > 0)) {
      const [oldest, event] = this.#events.entries().next().value!;
      this.#events.delete(oldest);
      this.#bytes -= event.data.length;
    }
    return eventId;
  }

  /** Drops a stream's events once the client has had them all (its stream ended normally). */
  forget(streamId: string): void {
    for (const [eventId, event] of this.#events) {
      if (event.streamId !== streamId) continue;
      this.#events.delete(eventId);
      this.#bytes -= event.data.length;
    }
  }

  streamIdOf(eventId: string): string {
    return this.#events.get(eventId)?.streamId ?? eventId.slice(0, eventId.lastIndexOf("_"));
  }

  /** The events of `lastEventId`'s stream after it (all still held, when it was evicted). */
  *eventsAfter(lastEventId: string): Generator<[eventId: string, data: string]> {
    const streamId = this.streamIdOf(lastEventId);
    let after = !this.#events.has(lastEventId);
    for (const [eventId, event] of this.#events) {
      if (after && event.streamId === streamId) yield [eventId, event.data];
      if (eventId === lastEventId) after = true;
    }
  }

  get size(): number {
    return this.#events.size;
  }
}
