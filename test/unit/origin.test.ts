import { describe, expect, it } from "vitest";
import { hostAllowed, isLoopbackHost, originAllowed } from "../../src/bindings/origin.js";

describe("the Host and Origin guard", () => {
  it("knows loopback names and 127/8 literals, and nothing that only looks like them", () => {
    for (const host of ["localhost", "127.0.0.1", "127.1.2.3", "::1", "[::1]"]) expect(isLoopbackHost(host)).toBe(true);
    for (const host of ["127.attacker.example", "localhost.evil", "10.0.0.1", "0.0.0.0", "example.com"]) expect(isLoopbackHost(host)).toBe(false);
  });

  it("on a loopback binding, accepts only a loopback Host header (DNS rebinding)", () => {
    expect(hostAllowed("127.0.0.1:8080", "127.0.0.1")).toBe(true);
    expect(hostAllowed("localhost:8080", "127.0.0.1")).toBe(true);
    expect(hostAllowed("[::1]:8080", "::1")).toBe(true);
    expect(hostAllowed("127.attacker.example:8080", "127.0.0.1")).toBe(false);
    expect(hostAllowed("evil.example", "127.0.0.1")).toBe(false);
    expect(hostAllowed(undefined, "127.0.0.1")).toBe(false);
  });

  it("on a non-loopback binding, accepts loopback names, IP literals and the allowed host names only", () => {
    expect(hostAllowed("localhost:8080", "0.0.0.0")).toBe(true);
    expect(hostAllowed("192.168.1.20:8080", "0.0.0.0")).toBe(true);
    expect(hostAllowed("[fe80::1]:8080", "::")).toBe(true);
    expect(hostAllowed("mcp.internal:8080", "0.0.0.0", ["MCP.internal"])).toBe(true);
    expect(hostAllowed("attacker.example:8080", "0.0.0.0", ["mcp.internal"])).toBe(false);
    expect(hostAllowed("attacker.example", "::")).toBe(false);
    expect(hostAllowed(undefined, "0.0.0.0")).toBe(false);
  });

  it("passes requests without Origin, loopback origins by default, and only listed origins when a list is given", () => {
    expect(originAllowed(undefined, [])).toBe(true);
    expect(originAllowed("http://localhost:6274", [])).toBe(true);
    expect(originAllowed("https://evil.example", [])).toBe(false);
    expect(originAllowed("http://127.attacker.example", [])).toBe(false);
    expect(originAllowed("https://app.example", ["https://app.example"])).toBe(true);
    expect(originAllowed("http://localhost:6274", ["https://app.example"])).toBe(false);
    expect(originAllowed("not a url", [])).toBe(false);
  });
});
