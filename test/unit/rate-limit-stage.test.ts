import { describe, expect, it } from "vitest";
import { compile } from "../../src/compile/compile.js";
import { MemoryRateCounters } from "../../src/compile/memory-rate-counters.js";
import { windowText } from "../../src/compile/rate-limit.js";
import { validateConfig } from "../../src/config/index.js";
import { Cancellation } from "../../src/core/cancellation.js";
import type { ClientScope, Params, RequestContext, RoutedContext } from "../../src/core/context.js";
import { type BackendListing, buildSurface } from "../../src/core/surface.js";

// The limit stage without processes: what a recompile (hot reload) keeps, what a refusal costs.

const LISTING: BackendListing = { backend: "a", namespace: "a", tools: [{ name: "run" }, { name: "secret" }], prompts: [], resources: [], resourceTemplates: [] };

function gatewayLike(counters: MemoryRateCounters) {
  const forwarded: string[] = [];
  const compileWith = (extra: Record<string, unknown>) => {
    const { config, issues } = validateConfig({ version: 1, backends: { a: { transport: "stdio", command: "a" } }, ...extra }, { configDir: "/", env: {} });
    if (!config) throw new Error(`test config is invalid: ${JSON.stringify(issues)}`);
    const pipeline = compile(config, { rateCounters: counters });
    const scope = {
      sessionId: "s1",
      surface: buildSurface([LISTING], pipeline.plan),
      knownSurface: buildSurface([LISTING], pipeline.plan),
      hasListing: () => true,
      startOwn: async () => false,
      forward: async (_ctx: RoutedContext, _method: string, params: Params) => (forwarded.push(String(params.name)), { content: [] }),
      labelsSeen: new Set<string>(),
      taskOrigins: new Map(),
    } as unknown as ClientScope;
    return (name: string) =>
      pipeline.handle({ method: "tools/call", id: 1, params: { name, arguments: {} }, scope, info: { binding: "t", transport: "stdio", identity: { sub: "u", roles: [], scopes: [], claims: {} } }, cancellation: new Cancellation() } as RequestContext);
  };
  return { compileWith, forwarded };
}

const limit = (requests: number) => ({ limits: { rateLimits: [{ name: "runs", requests, windowMs: 60_000 }] } });

describe("the limit stage", () => {
  it("keeps counting across a recompile with the same limit, and starts afresh when the limit changes", async () => {
    const { compileWith } = gatewayLike(new MemoryRateCounters());
    const before = compileWith(limit(2));
    await before("a__run");
    await before("a__run");
    await expect(before("a__run")).rejects.toMatchObject({ code: "RATE_LIMITED", data: { limit: "runs" } });
    // A reload with the same definition (and, say, a policy added): still over the limit.
    const reloaded = compileWith({ ...limit(2), policies: { default: "allow", rules: [] } });
    await expect(reloaded("a__run")).rejects.toMatchObject({ code: "RATE_LIMITED" });
    // A reload that raises the limit is a new limit: its count starts at zero.
    const raised = compileWith(limit(3));
    await raised("a__run");
    await raised("a__run");
    await raised("a__run");
    await expect(raised("a__run")).rejects.toMatchObject({ code: "RATE_LIMITED" });
  });

  it("forwards nothing it refuses, and counts nothing a policy refused first", async () => {
    const { compileWith, forwarded } = gatewayLike(new MemoryRateCounters());
    const run = compileWith({
      ...limit(1),
      policies: { default: "allow", rules: [{ name: "no-secret", effect: "deny", match: { names: ["a__secret"] } }] },
    });
    // The rule hides a__secret from this caller: refused as unknown, before the limit counts it.
    for (let i = 0; i < 3; i++) await expect(run("a__secret")).rejects.toMatchObject({ code: "UNKNOWN_TOOL" });
    await run("a__run");
    await expect(run("a__run")).rejects.toMatchObject({ code: "RATE_LIMITED" });
    // Forwarded under its name at the backend, once: the refused call never left the gateway.
    expect(forwarded).toEqual(["run"]);
  });

  it("names windows the way people say them", () => {
    expect([1000, 90_000, 60_000, 7_200_000, 86_400_000, 604_800_000].map(windowText)).toEqual(["second", "90 seconds", "minute", "2 hours", "day", "7 days"]);
  });
});
