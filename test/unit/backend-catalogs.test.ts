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

  it("are bounded per backend: a client needing one more gets none (and its own session at initialize)", () => {
    const pool = catalogs();
    for (let i = 0; i < MAX_CATALOGS_PER_BACKEND; i++) expect(pool.for(backend("b"), { [`cap${i}`]: {} })).toBeDefined();
    expect(pool.for(backend("b"), { another: {} })).toBeUndefined();
    expect(pool.for(backend("b"), { cap0: {} })).toBeDefined();
  });
});
