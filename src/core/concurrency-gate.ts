import type { Cancellation } from "./cancellation.js";

/** Why a gate let a caller down: it stayed full for the whole wait, or the caller gave up first. */
export type GateRefusal = { readonly kind: "full"; readonly waitedMs: number } | { readonly kind: "cancelled"; readonly reason: unknown };

interface Waiter {
  readonly admit: () => void;
  readonly refuse: (refusal: GateRefusal) => void;
}

/**
 * At most `max` holders at once; a caller that finds it full waits in line, first come first
 * served, for at most `queueMs` (0: no waiting at all). A bounded wait turns "the backend is
 * swamped" into a prompt, clear answer instead of an ever longer line of hanging calls.
 */
export class ConcurrencyGate {
  #active = 0;
  readonly #line: Waiter[] = [];

  constructor(
    readonly max: number,
    readonly queueMs: number,
  ) {}

  /** Holders right now. */
  get active(): number {
    return this.#active;
  }

  /** Callers waiting in line right now. */
  get waiting(): number {
    return this.#line.length;
  }

  /**
   * Resolves once the caller holds a place (it must `release()` it exactly once), or rejects
   * with a GateRefusal. The common case, a free place, settles without a timer.
   */
  acquire(cancellation: Cancellation): Promise<void> {
    if (this.#active < this.max && this.#line.length === 0) {
      this.#active++;
      return Promise.resolve();
    }
    if (this.queueMs <= 0) return Promise.reject({ kind: "full", waitedMs: 0 } satisfies GateRefusal);
    if (cancellation.cancelled) return Promise.reject({ kind: "cancelled", reason: cancellation.reason } satisfies GateRefusal);
    const started = performance.now();
    return new Promise<void>((resolve, reject) => {
      const leave = (refusal: GateRefusal) => {
        clearTimeout(timer);
        stopListening();
        const at = this.#line.indexOf(waiter);
        if (at !== -1) this.#line.splice(at, 1);
        reject(refusal);
      };
      const waiter: Waiter = {
        admit: () => {
          clearTimeout(timer);
          stopListening();
          resolve();
        },
        refuse: leave,
      };
      const timer = setTimeout(() => leave({ kind: "full", waitedMs: Math.round(performance.now() - started) }), this.queueMs);
      const stopListening = cancellation.onCancel((reason) => leave({ kind: "cancelled", reason }));
      this.#line.push(waiter);
    });
  }

  /** Gives a place back; the first caller in line, if any, takes it over. */
  release(): void {
    const next = this.#line.shift();
    if (next) next.admit();
    else this.#active = Math.max(0, this.#active - 1);
  }

  /** Runs `work` holding a place. */
  async run<T>(cancellation: Cancellation, work: () => Promise<T>): Promise<T> {
    await this.acquire(cancellation);
    try {
      return await work();
    } finally {
      this.release();
    }
  }
}

/**
 * Gates by key, kept across config recompiles: a rule that is unchanged (same key, same cap,
 * same wait) keeps its gate and so its holders, and a reload never lets a burst past a cap.
 */
export class ConcurrencyGates {
  readonly #gates = new Map<string, ConcurrencyGate>();

  for(key: string, max: number, queueMs: number): ConcurrencyGate {
    const id = `${key}\u0000${max}\u0000${queueMs}`;
    let gate = this.#gates.get(id);
    if (!gate) this.#gates.set(id, (gate = new ConcurrencyGate(max, queueMs)));
    return gate;
  }
}
