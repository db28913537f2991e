import { describe, expect, it } from "vitest";
import { prefersStream } from "../../src/bindings/streamable-http-transport.js";

describe("content negotiation of a POST's answer", () => {
  it("answers JSON when the client lists JSON first, as SDK clients do", () => {
    expect(prefersStream("application/json, text/event-stream")).toBe(false);
    expect(prefersStream(undefined)).toBe(false);
    expect(prefersStream("*/*, text/event-stream")).toBe(false);
  });

  it("streams when the client lists the event stream first or accepts no JSON", () => {
    expect(prefersStream("text/event-stream, application/json")).toBe(true);
    expect(prefersStream("text/event-stream")).toBe(true);
    expect(prefersStream("Text/Event-Stream;q=1, application/json;q=0.9")).toBe(true);
  });

  it("does not stream for a client that accepts neither", () => {
    expect(prefersStream("text/html")).toBe(false);
  });
});
