import type { Logger } from "pino";
import { ProxyError } from "../core/errors.js";

export type CircuitState = "closed" | "open" | "half-open";

/** What one call through the breaker turned out to be. */
export type CallOutcome = "success" | "failure" | "neutral";

/**
 * Which errors count against a backend: the ones that say it cannot serve anyone right now
 * (down, restarting, unreachable, a transport error, an HTTP 5xx, no answer in time). A
 * JSON-RPC error the backend answered with, a tool result with `isError`, a refused
 * credential or an oversized answer all prove it is up and answering, so they count as success.
 */
const FAILURE_CODES: ReadonlySet<string> = new Set(["BACKEND_UNAVAILABLE", "BACKEND_TIMEOUT", "BACKEND_INVALID_MESSAGE"]);

/**
 * Refusals of the gateway's own, before the backend was asked: a cancelled request (the
 * client gave up), a full concurrency cap, a caller at its share of the backend's sessions,
 * all of the backend's sessions (maxSessions) taken. They say nothing about the backend, so
 * they neither open the circuit (one caller taking every session must not make it fail fast
 * for everyone) nor close it (a refused trial proved nothing).
 */
const NEUTRAL_CODES: ReadonlySet<string> = new Set(["REQUEST_CANCELLED", "CONCURRENCY_LIMIT", "IDENTITY_SESSION_LIMIT"]);

/** How a settled call counts. */
export function outcomeOf(error: unknown): CallOutcome {
  if (!(error instanceof ProxyError)) return "success";
  if (NEUTRAL_CODES.has(error.code) || (error.code === "BACKEND_UNAVAILABLE" && error.data?.limit === "maxSessions")) return "neutral";
  if (FAILURE_CODES.has(error.code)) return "failure";
  return "success";
}

/**
 * A backend's circuit breaker (`backends.X.circuitBreaker`). Closed: calls go through and
 * consecutive failures are counted. After `failures` of them in a row it opens: every call
 * fails at once with CIRCUIT_OPEN for `cooldownMs`, so clients are not held up by a backend
 * that cannot answer and the backend gets room to recover. Then it is half-open: exactly one
 * call goes through as a trial; its success closes the circuit, its failure opens it for
 * another cool-down. Calls arriving while the trial runs still fail fast.
 */
export class CircuitBreaker {
  #failures = 0;
  #openUntil = 0;
  #trialRunning = false;
  #opened = false;

  constructor(
    readonly backend: string,
    readonly threshold: number,
    readonly cooldownMs: number,
    private readonly logger: Logger,
  ) {}

  /** What a status page shows; an open circuit whose cool-down has passed is half-open (its next call is the trial). */
  get state(): CircuitState {
    if (!this.#opened) return "closed";
    return this.#trialRunning || Date.now() >= this.#openUntil ? "half-open" : "open";
  }

  /** Consecutive failures counted so far (reset by any success). */
  get failures(): number {
    return this.#failures;
  }

  /**
   * Asks to make one call. Returns whether this call is the half-open trial (it must be
   * settled with `settle`, like any admitted call); throws CIRCUIT_OPEN when it may not go.
   */
  admit(): { trial: boolean } {
    if (!this.#opened) return { trial: false };
    const now = Date.now();
    if (now < this.#openUntil) throw this.#refusal(this.#openUntil - now);
    // Half-open: the first caller is the trial, everyone else waits for its verdict.
    if (this.#trialRunning) throw this.#refusal(Math.min(1000, this.cooldownMs));
    this.#trialRunning = true;
    this.logger.info({ backend: this.backend }, "circuit half-open: one trial call goes through");
    return { trial: true };
  }

  settle(trial: boolean, outcome: CallOutcome): void {
    if (trial) this.#trialRunning = false;
    if (outcome === "neutral") return;
    if (outcome === "success") {
      this.#failures = 0;
      if (this.#opened && trial) {
        this.#opened = false;
        this.logger.info({ backend: this.backend }, "circuit closed: the trial call succeeded");
      }
      return;
    }
    this.#failures++;
    // A late failure of a call admitted before the circuit opened changes nothing more.
    if (this.#opened && !trial) return;
    if (trial || this.#failures >= this.threshold) this.#open(trial);
  }

  #open(afterTrial: boolean): void {
    this.#opened = true;
    this.#openUntil = Date.now() + this.cooldownMs;
    this.logger.warn(
      { backend: this.backend, failures: this.#failures, cooldownMs: this.cooldownMs },
      afterTrial ? "circuit open again: the trial call failed" : `circuit open: ${this.#failures} consecutive failures`,
    );
  }

  #refusal(retryAfterMs: number): ProxyError {
    return new ProxyError(
      "CIRCUIT_OPEN",
      `backend "${this.backend}" is failing (circuit open after ${this.threshold} consecutive failures); calls fail fast, retry in ${retryAfterMs} ms`,
      { backend: this.backend, retryAfterMs },
    );
  }
}
