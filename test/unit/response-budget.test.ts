import { describe, expect, it } from "vitest";
import type { Message } from "../../src/bindings/json-rpc-shape.js";
import { serialiseAnswer } from "../../src/bindings/response-budget.js";

const answer = (id: number, text: string) => ({ jsonrpc: "2.0", id, result: { content: [{ type: "text", text }] } }) as unknown as Message;

describe("the bytes one request or batch may produce", () => {
  it("passes an answer that fits, counting its bytes", () => {
    const { text, bytes } = serialiseAnswer(answer(1, "é"), 0, 1000);
    expect(JSON.parse(text)).toEqual(answer(1, "é"));
    expect(bytes).toBe(Buffer.byteLength(text));
  });

  it("replaces an answer that would pass the limit with RESPONSE_TOO_LARGE for its id", () => {
    const { text } = serialiseAnswer(answer(7, "x".repeat(500)), 600, 1000);
    expect(JSON.parse(text)).toEqual({
      jsonrpc: "2.0",
      id: 7,
      error: { code: -32016, message: expect.stringContaining("1000-byte limit"), data: { limit: 1000, reason: "RESPONSE_TOO_LARGE" } },
    });
  });

  it("refuses an answer that cannot be serialised at all instead of throwing", () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const { text } = serialiseAnswer({ jsonrpc: "2.0", id: 3, result: cyclic } as unknown as Message, 0, 1000);
    expect(JSON.parse(text).error.data.reason).toBe("RESPONSE_TOO_LARGE");
  });
});
