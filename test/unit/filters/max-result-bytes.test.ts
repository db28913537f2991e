import { describe, expect, it } from "vitest";
import { jsonRpcCodeOf, ProxyError, toJsonRpcError } from "../../../src/core/errors.js";
import { filterFor } from "./helpers.js";

const resultOfBytes = (bytes: number) => {
  const empty = JSON.stringify({ content: [{ type: "text", text: "" }] }).length;
  return { content: [{ type: "text", text: "x".repeat(bytes - empty) }] };
};

const refusal = (run: () => unknown): ProxyError => {
  try {
    run();
  } catch (error) {
    if (error instanceof ProxyError) return error;
    throw error;
  }
  throw new Error("the result was not refused");
};

describe("maxResultBytes", () => {
  it("refuses a result over the limit with a message and data naming the filter", () => {
    const filter = filterFor([{ name: "small-results", maxResultBytes: 100 }]);
    const error = refusal(() => filter.apply(resultOfBytes(101)));
    expect(error.code).toBe("RESULT_TOO_LARGE");
    expect(error.message).toBe(`result of 101 bytes is over filter "small-results"'s maxResultBytes of 100`);
    expect(error.data).toEqual({ filter: "small-results", bytes: 101, limit: 100 });
    expect(toJsonRpcError(error)).toEqual({ code: -32017, message: error.message, data: { filter: "small-results", bytes: 101, limit: 100, reason: "RESULT_TOO_LARGE" } });
    expect(jsonRpcCodeOf("RESULT_TOO_LARGE")).toBe(-32017);
  });

  it("lets a result of exactly the limit through", () => {
    const filter = filterFor([{ name: "small-results", maxResultBytes: 100 }]);
    expect(filter.apply(resultOfBytes(100))).toEqual(resultOfBytes(100));
  });

  it("counts UTF-8 bytes, not characters", () => {
    const filter = filterFor([{ name: "utf8", maxResultBytes: 60 }]);
    const text = "é".repeat(20); // 20 characters, 40 bytes
    const result = { content: [{ type: "text", text }] };
    const bytes = Buffer.byteLength(JSON.stringify(result));
    expect(JSON.stringify(result).length).toBeLessThanOrEqual(60);
    expect(refusal(() => filter.apply(result)).data).toEqual({ filter: "utf8", bytes, limit: 60 });
  });

  it("names the filter with the smallest limit when several apply", () => {
    const filter = filterFor([
      { name: "generous", maxResultBytes: 1000 },
      { name: "strict", maxResultBytes: 50 },
      { name: "middle", maxResultBytes: 200 },
    ]);
    const error = refusal(() => filter.apply(resultOfBytes(300)));
    expect(error.message).toBe(`result of 300 bytes is over filter "strict"'s maxResultBytes of 50`);
    expect(error.data).toEqual({ filter: "strict", bytes: 300, limit: 50 });
  });

  it("measures the result as received, before stripping shrinks it", () => {
    const filter = filterFor([{ name: "limit", maxResultBytes: 100, stripFields: ["content"] }]);
    expect(refusal(() => filter.apply(resultOfBytes(150))).data).toEqual({ filter: "limit", bytes: 150, limit: 100 });
  });

  it("does not serialise the result when no filter sets a limit", () => {
    const filter = filterFor([{ name: "redact-only", redact: [{ pattern: "x" }] }]);
    const poisoned = { content: [], toJSON: () => { throw new Error("serialised"); } };
    expect(() => filter.apply(poisoned)).not.toThrow();
  });
});
