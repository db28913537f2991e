import pino from "pino";
import { afterEach, describe, expect, it, vi } from "vitest";
import { validateConfig } from "../../src/config/index.js";
import { Cancellation } from "../../src/core/cancellation.js";
import { ProxyError } from "../../src/core/errors.js";
import { BackendGuards } from "../../src/runtime/backend-guards.js";

// The state the runtime exposes for status pages and metrics: each backend's circuit, as
// calls through its guard succeed and fail. The clock is faked so the cool-down is exact.

function guardsFor(backends: Record<string, unknown>): BackendGuards {
  const { config, issues } = validateConfig({ version: 1, backends }, { configDir: "/", env: {} });
  if (!config) throw new Error(`test config is invalid: ${JSON.stringify(issues)}`);
  const guards = new BackendGuards(pino({ level: "silent" }));
  guards.apply(config);
  return guards;
}

const down = () => Promise.reject(new ProxyError("BACKEND_UNAVAILABLE", 'backend "a" is unavailable', { backend: "a" }));
const refusedOnPurpose = () => Promise.reject(Object.assign(new Error("no such row"), { code: -32042 }));
const ok = () => Promise.resolve({ ok: true });

describe("backend guards: circuit state", () => {
  afterEach(() => vi.useRealTimers());

  it("reads closed → open → half-open → closed, counting only failures that say the backend cannot serve", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const guards = guardsFor({ a: { transport: "stdio", command: "a", circuitBreaker: { failures: 2, cooldownMs: 1000 } }, b: { transport: "stdio", command: "b" } });
    const guard = guards.for("a");
    const c = new Cancellation();
    expect(guards.circuitStates()).toEqual({ a: "closed", b: "closed" });
    // A JSON-RPC error the backend answered with on purpose proves it is up.
    for (let i = 0; i < 3; i++) await expect(guard.run(c, refusedOnPurpose)).rejects.toMatchObject({ code: -32042 });
    expect(guard.breaker!.state).toBe("closed");
    await expect(guard.run(c, down)).rejects.toMatchObject({ code: "BACKEND_UNAVAILABLE" });
    expect(guard.breaker!.state).toBe("closed");
    await expect(guard.run(c, down)).rejects.toMatchObject({ code: "BACKEND_UNAVAILABLE" });
    expect(guards.circuitStates().a).toBe("open");
    await expect(guard.run(c, ok)).rejects.toMatchObject({ code: "CIRCUIT_OPEN", data: { backend: "a", retryAfterMs: 1000 } });
    vi.setSystemTime(Date.now() + 1000);
    expect(guard.breaker!.state).toBe("half-open");
    await expect(guard.run(c, ok)).resolves.toEqual({ ok: true });
    expect(guards.circuitStates().a).toBe("closed");
  });

  it("keeps a backend's guard across a config with the same settings, and replaces it when they change", () => {
    const { config: same } = validateConfig({ version: 1, backends: { a: { transport: "stdio", command: "a", maxConcurrent: 2 } } }, { configDir: "/", env: {} });
    const { config: changed } = validateConfig({ version: 1, backends: { a: { transport: "stdio", command: "a", maxConcurrent: 3 } } }, { configDir: "/", env: {} });
    const guards = new BackendGuards(pino({ level: "silent" }));
    guards.apply(same!);
    const first = guards.for("a");
    guards.apply(same!);
    expect(guards.for("a")).toBe(first);
    guards.apply(changed!);
    expect(guards.for("a")).not.toBe(first);
    expect(guards.for("a").gate!.max).toBe(3);
  });
});

describe("backend guards: a cancelled request", () => {
  const never = () => new Promise<never>(() => undefined);

  it("gives its place back at once, even when the backend never answers it", async () => {
    const guard = guardsFor({ a: { transport: "stdio", command: "a", maxConcurrent: 1, maxQueueMs: 0 } }).for("a");
    const gone = new Cancellation();
    const stuck = guard.run(gone, never);
    await expect(guard.run(new Cancellation(), ok)).rejects.toMatchObject({ code: "CONCURRENCY_LIMIT" });
    gone.cancel("session closed");
    await expect(stuck).rejects.toMatchObject({ code: "REQUEST_CANCELLED" });
    await expect(guard.run(new Cancellation(), ok)).resolves.toEqual({ ok: true });
  });

  it("as the half-open trial, lets the next call be the trial instead of keeping the circuit half-open", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const guard = guardsFor({ a: { transport: "stdio", command: "a", circuitBreaker: { failures: 1, cooldownMs: 1000 } } }).for("a");
    await expect(guard.run(new Cancellation(), down)).rejects.toMatchObject({ code: "BACKEND_UNAVAILABLE" });
    vi.setSystemTime(Date.now() + 1000);
    const gone = new Cancellation();
    const trial = guard.run(gone, never);
    await expect(guard.run(new Cancellation(), ok)).rejects.toMatchObject({ code: "CIRCUIT_OPEN" });
    gone.cancel("cancelled by the client");
    await expect(trial).rejects.toMatchObject({ code: "REQUEST_CANCELLED" });
    await expect(guard.run(new Cancellation(), ok)).resolves.toEqual({ ok: true });
    expect(guard.breaker!.state).toBe("closed");
  });
});

describe("backend guards: the gateway's own refusals", () => {
  const sessionsTaken = () => Promise.reject(new ProxyError("BACKEND_UNAVAILABLE", 'backend "a" is unavailable; it has reached its limit of 1 sessions (maxSessions); retrying', { backend: "a", limit: "maxSessions" }));
  const callerAtItsShare = () => Promise.reject(new ProxyError("IDENTITY_SESSION_LIMIT", "Too many sessions", { backend: "a", limit: "maxSessionsPerIdentity", max: 1 }));

  it("neither open the circuit (the backend was never asked) nor close it as a trial", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const guard = guardsFor({ a: { transport: "stdio", command: "a", circuitBreaker: { failures: 1, cooldownMs: 1000 } } }).for("a");
    const c = new Cancellation();
    await expect(guard.run(c, sessionsTaken)).rejects.toMatchObject({ code: "BACKEND_UNAVAILABLE" });
    await expect(guard.run(c, callerAtItsShare)).rejects.toMatchObject({ code: "IDENTITY_SESSION_LIMIT" });
    expect(guard.breaker!.state).toBe("closed");
    await expect(guard.run(c, down)).rejects.toMatchObject({ code: "BACKEND_UNAVAILABLE" });
    expect(guard.breaker!.state).toBe("open");
    vi.setSystemTime(Date.now() + 1000);
    await expect(guard.run(c, callerAtItsShare)).rejects.toMatchObject({ code: "IDENTITY_SESSION_LIMIT" });
    expect(guard.breaker!.state).toBe("half-open");
    await expect(guard.run(c, down)).rejects.toMatchObject({ code: "BACKEND_UNAVAILABLE" });
    expect(guard.breaker!.state).toBe("open");
  });
});
