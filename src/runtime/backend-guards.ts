import type { Logger } from "pino";
import type { ResolvedBackend, ResolvedConfig } from "../config/index.js";
import { type Cancellation, untilCancelled } from "../core/cancellation.js";
import { ConcurrencyGate, type GateRefusal } from "../core/concurrency-gate.js";
import { ProxyError } from "../core/errors.js";
import { CircuitBreaker, type CircuitState, outcomeOf } from "./circuit-breaker.js";

/**
 * What stands between every client and one backend, whichever client session or session mode
 * the call comes from: the backend's concurrency cap (`maxConcurrent`, `maxQueueMs`) and its
 * circuit breaker (`circuitBreaker`). Both are off unless configured. The breaker is asked
 * first, so a failing backend's calls fail at once instead of waiting in its line.
 */
export class BackendGuard {
  constructor(
    readonly backend: string,
    readonly gate: ConcurrencyGate | undefined,
    readonly breaker: CircuitBreaker | undefined,
  ) {}

  run<T>(cancellation: Cancellation, work: () => Promise<T>): Promise<T> {
    // The common case, nothing configured: no extra promise on the hot path.
    if (!this.gate && !this.breaker) return work();
    return this.#guarded(cancellation, work);
  }

  async #guarded<T>(cancellation: Cancellation, work: () => Promise<T>): Promise<T> {
    const breaker = this.breaker;
    const { trial } = breaker ? breaker.admit() : { trial: false };
    try {
      if (this.gate) await this.gate.acquire(cancellation).catch((refusal: GateRefusal) => Promise.reject(this.#gateError(refusal)));
    } catch (error) {
      breaker?.settle(trial, "neutral");
      throw error;
    }
    try {
      // A cancelled request (its client cancelled or closed its session) gives its place and
      // its trial back at once, whether or not the backend ever answers it.
      const result = await untilCancelled(cancellation, work());
      breaker?.settle(trial, "success");
      return result;
    } catch (error) {
      breaker?.settle(trial, outcomeOf(error));
      throw error;
    } finally {
      this.gate?.release();
    }
  }

  #gateError(refusal: GateRefusal): ProxyError {
    const gate = this.gate!;
    if (refusal.kind === "cancelled") return new ProxyError("REQUEST_CANCELLED", "request cancelled while waiting for a free place");
    return new ProxyError(
      "CONCURRENCY_LIMIT",
      `backend "${this.backend}" is busy: all ${gate.max} of its concurrent calls (maxConcurrent) are in use and none came free within ${gate.queueMs} ms (maxQueueMs); try again later`,
      { backend: this.backend, limit: gate.max, waitedMs: refusal.waitedMs },
    );
  }
}

/** The guards of every backend, owned by the Gateway so they outlive config recompiles. */
export class BackendGuards {
  readonly #guards = new Map<string, { readonly key: string; readonly guard: BackendGuard }>();

  constructor(private readonly logger: Logger) {}

  /**
   * Makes the guards match a config. A backend whose settings are unchanged keeps its guard
   * (calls holding its places, its breaker's count and state); a changed or new one gets a
   * fresh guard; a removed one is forgotten.
   */
  apply(config: ResolvedConfig): void {
    const names = new Set<string>();
    for (const backend of Object.values(config.backends)) {
      names.add(backend.name);
      const key = JSON.stringify([backend.maxConcurrent, backend.maxQueueMs, backend.circuitBreaker]);
      if (this.#guards.get(backend.name)?.key === key) continue;
      this.#guards.set(backend.name, { key, guard: this.#guardOf(backend) });
    }
    for (const name of this.#guards.keys()) if (!names.has(name)) this.#guards.delete(name);
  }

  /** The guard of a backend; an unknown name gets one that lets everything through. */
  for(backend: string): BackendGuard {
    return this.#guards.get(backend)?.guard ?? new BackendGuard(backend, undefined, undefined);
  }

  /** Each backend's circuit state ("closed" for a backend without a breaker): for status pages and metrics. */
  circuitStates(): Record<string, CircuitState> {
    const states: Record<string, CircuitState> = {};
    for (const [name, { guard }] of this.#guards) states[name] = guard.breaker?.state ?? "closed";
    return states;
  }

  #guardOf(backend: ResolvedBackend): BackendGuard {
    const gate = backend.maxConcurrent === undefined ? undefined : new ConcurrencyGate(backend.maxConcurrent, backend.maxQueueMs);
    const settings = backend.circuitBreaker;
    const breaker = settings ? new CircuitBreaker(backend.name, settings.failures, settings.cooldownMs, this.logger) : undefined;
    return new BackendGuard(backend.name, gate, breaker);
  }
}
