import type { EventStore } from "@modelcontextprotocol/server";

type Message = Parameters<EventStore["storeEvent"]>[1];

/**
 * Keeps the last events of each session in memory so a client that lost its stream can
 * resume with Last-Event-ID. Bounded: the oldest events go first, so a client that never
 * comes back costs at most `capacity` messages.
 */
export class BoundedEventStore implements EventStore {
  readonly #events = new Map<string, { streamId: string; message: Message }>();
  #sequence = 0;

  constructor(private readonly capacity = 512) {}

  async storeEvent(streamId: string, message: Message): Promise<string> {
    return this.store(streamId, message);
  }

  /** The same as `storeEvent`, synchronously: a write that must happen now has its id at once. */
  store(streamId: string, message: Message): string {
    const eventId = `${streamId}_${(++this.#sequence).toString(36)}`;
    this.#events.set(eventId, { streamId, message });
    if (this.#events.size > this.capacity) this.#events.delete(this.#events.keys().next().value!);
    return eventId;
  }

  async getStreamIdForEventId(eventId: string): Promise<string | undefined> {
    return this.#events.get(eventId)?.streamId ?? eventId.slice(0, eventId.lastIndexOf("_"));
  }

  async replayEventsAfter(lastEventId: string, { send }: { send: (eventId: string, message: Message) => Promise<void> }): Promise<string> {
    const streamId = (await this.getStreamIdForEventId(lastEventId)) ?? "";
    let after = !this.#events.has(lastEventId); // evicted: replay everything still held for that stream
    for (const [eventId, event] of this.#events) {
      if (after && event.streamId === streamId) await send(eventId, event.message);
      if (eventId === lastEventId) after = true;
    }
    return streamId;
  }

  get size(): number {
    return this.#events.size;
  }
}
