import { describe, expect, it } from "vitest";
import { errorResponse, JSON_RPC, jsonRpcCodeOf, ProxyError, toJsonRpcError, WireError } from "../../src/core/errors.js";

describe("the error table", () => {
  it("sends a proxy error with its table code and its name as data.reason", () => {
    const error = new ProxyError("BACKEND_UNAVAILABLE", 'backend "crm" is unavailable', { backend: "crm" });
    expect(toJsonRpcError(error)).toEqual({ code: -32010, message: 'backend "crm" is unavailable', data: { backend: "crm", reason: "BACKEND_UNAVAILABLE" } });
  });

  it("gives every documented refusal its documented number", () => {
    expect(jsonRpcCodeOf("UNKNOWN_TOOL")).toBe(-32602);
    expect(jsonRpcCodeOf("UNKNOWN_RESOURCE")).toBe(-32602);
    expect(jsonRpcCodeOf("UNKNOWN_TASK")).toBe(-32602);
    expect(jsonRpcCodeOf("INVALID_CURSOR")).toBe(-32602);
    expect(jsonRpcCodeOf("BACKEND_TIMEOUT")).toBe(-32011);
    expect(jsonRpcCodeOf("FORBIDDEN")).toBe(-32012);
    expect(jsonRpcCodeOf("RATE_LIMITED")).toBe(-32013);
    expect(jsonRpcCodeOf("IDENTITY_SESSION_LIMIT")).toBe(-32025);
    expect(jsonRpcCodeOf("SESSION_NOT_FOUND")).toBe(-32001);
    expect(jsonRpcCodeOf("SSE_SESSION_NOT_INITIALIZED")).toBe(-32001);
    expect(jsonRpcCodeOf("ADMIN_UNAUTHENTICATED")).toBe(-32019);
    expect(jsonRpcCodeOf("RELOAD_UNAVAILABLE")).toBe(-32028);
    expect(jsonRpcCodeOf("PARSE_ERROR")).toBe(JSON_RPC.parseError);
    expect(jsonRpcCodeOf("METHOD_NOT_FOUND")).toBe(-32601);
  });

  it("passes a backend's own error through unchanged: code, message and data", () => {
    expect(toJsonRpcError({ code: -32042, message: "alpha refuses", data: { why: "test" } })).toEqual({ code: -32042, message: "alpha refuses", data: { why: "test" } });
    expect(toJsonRpcError({ code: -32002, message: "Resource not found" })).toEqual({ code: -32002, message: "Resource not found" });
  });

  it("hides the internals of anything else", () => {
    expect(toJsonRpcError(new TypeError("x is undefined at /srv/app.js:1"))).toEqual({ code: -32603, message: "internal error" });
    expect(toJsonRpcError({ code: "ENOENT", message: "open /etc/secret" })).toEqual({ code: -32603, message: "internal error" });
  });

  it("shapes a response and an SDK-bound error from the same encoder", () => {
    const error = new ProxyError("ALREADY_INITIALIZED", "already initialized");
    expect(errorResponse(7, error)).toEqual({ jsonrpc: "2.0", id: 7, error: toJsonRpcError(error) });
    const wire = WireError.from(error);
    expect({ code: wire.code, message: wire.message, data: wire.data }).toEqual(toJsonRpcError(error));
  });
});
