// SEP-2243 Mcp-Param-* headers: which properties are marked, how values travel, when a header
// disagrees with the body. The cases the spec's test table names, and the marks it forbids.
import { describe, expect, it } from "vitest";
import { decodeParamValue, encodeParamValue, paramHeaderMismatch, paramHeadersFor, paramHeadersOf } from "../../src/core/param-headers.js";

const schema = {
  type: "object",
  properties: {
    region: { type: "string", "x-mcp-header": "Region" },
    count: { type: "integer", "x-mcp-header": "Count" },
    nested: { type: "object", properties: { zone: { type: "string", "x-mcp-header": "Zone" } } },
    list: { type: "array", items: { type: "string", "x-mcp-header": "Item" } },
    blob: { type: "object", "x-mcp-header": "Blob" },
    bad: { type: "string", "x-mcp-header": "has space" },
    again: { type: "string", "x-mcp-header": "region" },
  },
};

describe("x-mcp-header marks", () => {
  it("are found on primitive properties reached through `properties` only; malformed or repeated marks are left out", () => {
    expect(paramHeadersOf(schema).map((h) => [h.name, h.path.join(".")])).toEqual([
      ["Region", "region"],
      ["Count", "count"],
      ["Zone", "nested.zone"],
    ]);
  });
});

describe("Mcp-Param values", () => {
  it("go plain when printable ASCII, as =?base64?…?= otherwise, and decode back", () => {
    expect(encodeParamValue("eu-west")).toBe("eu-west");
    for (const text of ["ü-nord", " padded ", "=?base64?x?=", "line\nbreak"]) {
      expect(encodeParamValue(text)).toMatch(/^=\?base64\?.*\?=$/);
      expect(decodeParamValue(encodeParamValue(text))).toBe(text);
    }
  });

  it("refuse a sentinel whose payload is not canonical Base64; a value without both ends of the sentinel is literal", () => {
    expect(decodeParamValue("=?base64?SGVsbG8?=")).toBeUndefined();
    expect(decodeParamValue("=?base64?SGVs!!!bG8=?=")).toBeUndefined();
    expect(decodeParamValue("SGVsbG8=")).toBe("SGVsbG8=");
    expect(decodeParamValue("=?base64?SGVsbG8=")).toBe("=?base64?SGVsbG8=");
  });
});

describe("headers against the body", () => {
  const marks = paramHeadersOf(schema);
  const read = (headers: Record<string, string>) => (name: string) => headers[name];

  it("are built for the values the arguments carry, and agree with them", () => {
    const args = { region: "ü-nord", count: 42, nested: { zone: "b" } };
    const headers = paramHeadersFor(marks, args);
    expect(headers).toEqual({ "Mcp-Param-Region": "=?base64?w7wtbm9yZA==?=", "Mcp-Param-Count": "42", "Mcp-Param-Zone": "b" });
    const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
    expect(paramHeaderMismatch(marks, args, read(lower))).toBeUndefined();
  });

  it("disagree when a header is missing, malformed or different; numbers compare as numbers; absent values need none", () => {
    expect(paramHeaderMismatch(marks, { region: "a" }, read({}))).toMatch(/Mcp-Param-Region header is absent/);
    expect(paramHeaderMismatch(marks, { region: "a" }, read({ "mcp-param-region": "=?base64?YQ?=" }))).toMatch(/not valid Base64/);
    expect(paramHeaderMismatch(marks, { region: "a" }, read({ "mcp-param-region": "b" }))).toMatch(/does not match region/);
    expect(paramHeaderMismatch(marks, { count: 42 }, read({ "mcp-param-count": "42.0" }))).toBeUndefined();
    expect(paramHeaderMismatch(marks, { region: null }, read({ "mcp-param-region": "anything" }))).toBeUndefined();
  });
});
