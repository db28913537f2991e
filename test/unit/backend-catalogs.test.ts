import { pino } from "pino";
import { describe, expect, it } from "vitest";
import type { ResolvedBackend } from "../../src/config/index.js";
import { BackendCatalogs, MAX_CATALOGS_PER_BACKEND } from "../../src/runtime/backend-catalog.js";

const backend = (name: string) => ({ name, namespace: name, session: "per-client", maxSessions: 1, timeouts: { startupMs: 1000, callMs: 1000, idleMs: 0 } }) as unknown as ResolvedBackend;
const catalogs = () => new BackendCatalogs(pino({ level: "silent" }), { name: "mcp-portcullis", version: "0" });

describe("catalogs of per-client backends", () => {
  it("are shared by clients with equal capabilities, whatever the order of their keys", () => {
    const pool = catalogs();
    const a = pool.for(backend("b"), { sampling: {}, elicitation: { form: {}, url: {} } });
    expect(pool.for(backend("b"), { elicitation: { url: {}, form: {} }, sampling: {} })).toBe(a);
    expect(pool.for(backend("b"), { sampling: {} })).not.toBe(a);
    expect(pool.for(backend("other"), { sampling: {}, elicitation: { form: {}, url: {} } })).not.toBe(a);
  });

  it("are keyed only by what servers list by, so made-up capability variants share one", () => {
    const pool = catalogs();
    const plain = pool.for(backend("b"), {});
    expect(pool.for(backend("b"), { experimental: { variant: { n: 1 } } })).toBe(plain);
    expect(pool.for(backend("b"), { experimental: { variant: { n: 2 } }, tasks: {} })).toBe(plain);
    expect(pool.for(backend("b"), { roots: { listChanged: true } })).toBe(pool.for(backend("b"), { roots: {} }));
    // `elicitation: {}` is form elicitation, as it was before the form/url split.
    expect(pool.for(backend("b"), { elicitation: {} })).toBe(pool.for(backend("b"), { elicitation: { form: {} } }));
    expect(pool.for(backend("b"), { elicitation: { url: {} } })).not.toBe(pool.for(backend("b"), { elicitation: { form: {} } }));
  });

  it("are bounded per backend: a client needing one more gets none (and its own session at initialize)", () => {
    const pool = catalogs();
    const variants = [{}, { sampling: {} }, { roots: {} }, { sampling: {}, roots: {} }];
    expect(variants.length).toBe(MAX_CATALOGS_PER_BACKEND);
    for (const capabilities of variants) expect(pool.for(backend("b"), capabilities)).toBeDefined();
    expect(pool.for(backend("b"), { elicitation: {} })).toBeUndefined();
    expect(pool.for(backend("b"), { roots: { listChanged: true } })).toBeDefined();
  });
});
