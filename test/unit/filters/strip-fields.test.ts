import { describe, expect, it } from "vitest";
import { compileFieldPath, stripField } from "../../../src/filters/index.js";
import { filterFor, snapshot } from "./helpers.js";

const strip = (value: unknown, path: string) => stripField(value, compileFieldPath(path));

describe("stripFields", () => {
  it("removes a nested field and keeps its siblings", () => {
    const result = { content: [], structuredContent: { user: { name: "Ada", ssn: "078-05-1120" } } };
    expect(strip(result, "structuredContent.user.ssn")).toEqual({ content: [], structuredContent: { user: { name: "Ada" } } });
  });

  it("removes a _meta key that itself contains dots and slashes", () => {
    const result = { content: [], _meta: { "io.modelcontextprotocol/related-task": { taskId: "t1" }, "example.com/trace": "abc" } };
    expect(strip(result, "_meta.io.modelcontextprotocol/related-task")).toEqual({ content: [], _meta: { "example.com/trace": "abc" } });
  });

  it("prefers the longest literal key that exists", () => {
    const value = { a: { b: { c: 1, d: 2 } }, "a.b": { c: 3, d: 4 } };
    expect(strip(value, "a.b.c")).toEqual({ a: { b: { c: 1, d: 2 } }, "a.b": { d: 4 } });
    expect(strip({ a: { b: { c: 1, d: 2 } } }, "a.b.c")).toEqual({ a: { b: { d: 2 } } });
  });

  it("takes * as every element of an array or every key of an object", () => {
    const result = {
      content: [
        { type: "text", text: "a", annotations: { audience: ["user"] } },
        { type: "text", text: "b" },
        { type: "text", text: "c", annotations: { priority: 1 } },
      ],
    };
    expect(strip(result, "content.*.annotations")).toEqual({ content: [{ type: "text", text: "a" }, { type: "text", text: "b" }, { type: "text", text: "c" }] });
    expect(strip({ _meta: { x: { internal: 1, keep: 2 }, y: { internal: 3 } } }, "_meta.*.internal")).toEqual({ _meta: { x: { keep: 2 }, y: {} } });
    expect(strip({ _meta: { a: 1, b: 2 }, content: [] }, "_meta.*")).toEqual({ _meta: {}, content: [] });
  });

  it("takes a number as an array index", () => {
    expect(strip({ content: [{ text: "a", x: 1 }, { text: "b", x: 2 }] }, "content.1.x")).toEqual({ content: [{ text: "a", x: 1 }, { text: "b" }] });
    expect(strip({ content: ["a", "b", "c"] }, "content.1")).toEqual({ content: ["a", "c"] });
  });

  it("does nothing for a path that leads nowhere, and returns the very same value", () => {
    const result = { content: [{ type: "text", text: "a" }], _meta: { keep: 1 } };
    for (const path of ["_meta.internal", "structuredContent.user.ssn", "content.5.text", "content.x", "content.*.annotations", "_meta.keep.deeper", "toString", "__proto__"]) {
      expect(strip(result, path), path).toBe(result);
    }
  });

  it("never mutates the input and shares what it did not touch", () => {
    const result = { content: [{ type: "text", text: "a" }], structuredContent: { user: { ssn: "1" }, other: { big: [1, 2, 3] } }, _meta: { internal: true } };
    const before = snapshot(result);
    const filter = filterFor([{ name: "strip", stripFields: ["_meta.internal", "structuredContent.user.ssn"] }]);
    const filtered = filter.apply(result) as typeof result;
    expect(result).toEqual(before);
    expect(filtered).toEqual({ content: [{ type: "text", text: "a" }], structuredContent: { user: {}, other: { big: [1, 2, 3] } }, _meta: {} });
    expect(filtered.content).toBe(result.content);
    expect(filtered.structuredContent.other).toBe(result.structuredContent.other);
  });

  it("strips before redacting, so a stripped field is gone rather than redacted", () => {
    const filter = filterFor([{ name: "both", stripFields: ["structuredContent.token"], redact: [{ pattern: "tok-\\d+" }] }]);
    expect(filter.apply({ content: [{ type: "text", text: "tok-1" }], structuredContent: { token: "tok-2", id: "tok-3" } })).toEqual({
      content: [{ type: "text", text: "[REDACTED]" }],
      structuredContent: { id: "[REDACTED]" },
    });
  });
});
