import { describe, expect, it } from "vitest";
import { addressRangeProblem, addressRanges } from "../../src/core/address-ranges.js";

describe("trusted proxy address ranges", () => {
  it("matches addresses and CIDR ranges of both families, and IPv4 peers a dual-stack socket reports as ::ffff:a.b.c.d", () => {
    const ranges = addressRanges(["10.0.0.0/8", "192.168.1.7", "fd00::/8"]);
    expect(["10.200.3.4", "::ffff:10.1.1.1", "192.168.1.7", "fd12::1"].map((a) => ranges.has(a))).toEqual([true, true, true, true]);
    expect(["11.0.0.1", "192.168.1.8", "fe80::1", "::1", "not-an-address", undefined].map((a) => ranges.has(a))).toEqual([false, false, false, false, false, false]);
    expect(addressRanges([]).has("127.0.0.1")).toBe(false);
  });

  it("names what is wrong with an entry that is neither", () => {
    expect(addressRangeProblem("10.0.0.0/8")).toBeUndefined();
    expect(addressRangeProblem("::1/128")).toBeUndefined();
    expect(addressRangeProblem("10.0.0.0/33")).toMatch(/prefix length outside 0\.\.32/);
    expect(addressRangeProblem("fd00::/129")).toMatch(/outside 0\.\.128/);
    expect(addressRangeProblem("proxy.internal")).toMatch(/not an IP address or a CIDR range/);
    expect(addressRangeProblem("10.0.0.0/8/1")).toMatch(/not an IP address/);
    expect(addressRangeProblem("10.0.0.0/x")).toMatch(/prefix length/);
  });
});
