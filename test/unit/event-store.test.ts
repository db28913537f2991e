import { describe, expect, it } from "vitest";
import { BoundedEventStore } from "../../src/bindings/event-store.js";

describe("the events kept for Last-Event-ID", () => {
  it("replays the events of a stream after the last one the client saw", () => {
    const store = new BoundedEventStore(10, 1000);
    const first = store.store("post1", "a");
    store.store("post2", "other");
    const second = store.store("post1", "b");
    store.store("post1", "c");
    expect([...store.eventsAfter(first)].map(([, data]) => data)).toEqual(["b", "c"]);
    expect([...store.eventsAfter(second)].map(([, data]) => data)).toEqual(["c"]);
  });

  it("drops the oldest events past the count or the bytes, so a flood costs a bounded amount", () => {
    const store = new BoundedEventStore(100, 1000);
    for (let i = 0; i < 50; i++) store.store("post1", "x".repeat(100));
    expect(store.size).toBe(10);
    const byCount = new BoundedEventStore(3, 1_000_000);
    for (let i = 0; i < 10; i++) byCount.store("post1", String(i));
    expect(byCount.size).toBe(3);
  });
});
