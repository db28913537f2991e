/**
 * What the gateway knows about its own state, in one place: the reloader writes it, the
 * status page, /readyz and /metrics read it. Plain data and counters, no I/O, so every
 * reader sees the same facts and none of them reaches into the runtime's internals.
 */

/** One config-loading problem, as `validate` reports it. */
export interface ReloadProblem {
  readonly path: string;
  readonly message: string;
}

/** The outcome of the most recent load or reload attempt. */
export interface ReloadResult {
  readonly ok: boolean;
  /** ISO time the attempt finished. */
  readonly at: string;
  /** What set it off: "start", "file", "SIGHUP", "admin". */
  readonly trigger: string;
  readonly durationMs: number;
  /** The problems that made a failed attempt change nothing (empty when ok). */
  readonly errors: readonly ReloadProblem[];
}

/** The config the gateway is serving right now. */
export interface ServingConfig {
  /** SHA-256 (hex) of the resolved config's canonical JSON, secrets excluded. */
  readonly hash: string;
  readonly file: string;
  /** ISO time it started serving. */
  readonly loadedAt: string;
}

export type ShutdownPhase = "running" | "draining" | "stopped";

export class RuntimeStatus {
  #serving: ServingConfig | undefined;
  #last: ReloadResult | undefined;
  #reloadsOk = 0;
  #reloadsFailed = 0;
  #phase: ShutdownPhase = "running";
  readonly startedAt = new Date().toISOString();

  /** A config started serving (at start, or a reload that succeeded). */
  served(config: ServingConfig, result: ReloadResult): void {
    this.#serving = config;
    this.#last = result;
    if (result.trigger !== "start") this.#reloadsOk += 1;
  }

  /** A reload changed nothing: the last good config keeps serving. */
  failed(result: ReloadResult): void {
    this.#last = result;
    this.#reloadsFailed += 1;
  }

  draining(): void {
    if (this.#phase === "running") this.#phase = "draining";
  }

  stopped(): void {
    this.#phase = "stopped";
  }

  get serving(): ServingConfig | undefined {
    return this.#serving;
  }

  get lastReload(): ReloadResult | undefined {
    return this.#last;
  }

  /** 1 when the config on disk is the one serving (the last attempt succeeded), else 0. */
  get configSynchronized(): 0 | 1 {
    return this.#last === undefined || this.#last.ok ? 1 : 0;
  }

  get reloadsOk(): number {
    return this.#reloadsOk;
  }

  get reloadsFailed(): number {
    return this.#reloadsFailed;
  }

  get phase(): ShutdownPhase {
    return this.#phase;
  }
}
