import type { Logger } from "pino";
import { compile, type Pipeline } from "../../compile/compile.js";
import { ConfigError, ConfigNotFoundError, type LoadedConfig, type ResolvedConfig } from "../../config/index.js";
import type { ReloadProblem, ReloadResult, RuntimeStatus } from "../runtime-status.js";
import { configHash, secretFiles } from "./config-digest.js";

/** What a reload needs from its surroundings. */
export interface ReloadSteps {
  /** Reads, validates and resolves the config file again (throws ConfigError with every issue). */
  load(): Promise<LoadedConfig>;
  /** The checks and overrides `start` applies to a loaded config (unenforced settings, --port); throws ConfigError. */
  prepare(loaded: LoadedConfig): ResolvedConfig;
  /**
   * Compiles the new config against the runtime state a pipeline uses but does not own (cached
   * answers, rate-limit counters, concurrency gates), so a reload keeps them; plain `compile`
   * when omitted.
   */
  compile?(config: ResolvedConfig): Pipeline;
  /** Reconciles backends, bindings, audit and sessions with the new config, then serves it. */
  apply(config: ResolvedConfig, pipeline: Pipeline): Promise<void>;
  /** The files to watch from now on. */
  follow(files: readonly string[]): Promise<void>;
}

/**
 * load → validate → resolve → compile → reconcile → swap, one at a time. A trigger that comes
 * while a reload runs queues exactly one more (however many come), which reads the file as it
 * is then: the last change always gets applied, and bursts cost at most two reloads. A
 * config that fails at any stage changes nothing; its problems are logged with their config
 * paths and recorded in the status (config_synchronized 0) until a later one succeeds.
 */
export class Reloader {
  #running: Promise<ReloadResult> | undefined;
  #queued: { promise: Promise<ReloadResult>; triggers: Set<string> } | undefined;

  constructor(
    private readonly steps: ReloadSteps,
    private readonly status: RuntimeStatus,
    private readonly logger: Logger,
  ) {}

  /** Reloads now, or after the reload under way; resolves with the attempt that covered this trigger. */
  reload(trigger: string): Promise<ReloadResult> {
    if (!this.#running) return this.#start(trigger);
    if (this.#queued) {
      this.#queued.triggers.add(trigger);
      return this.#queued.promise;
    }
    const triggers = new Set([trigger]);
    const promise = this.#running.then(() => {
      this.#queued = undefined;
      return this.#start([...triggers].join(","));
    });
    this.#queued = { promise, triggers };
    return promise;
  }

  /** Settles once no reload runs or waits (a shutdown lets one under way finish before closing what it opened). */
  async idle(): Promise<void> {
    while (this.#running || this.#queued) await (this.#queued?.promise ?? this.#running)?.catch(() => undefined);
  }

  #start(trigger: string): Promise<ReloadResult> {
    const run = this.#attempt(trigger).finally(() => {
      if (this.#running === run) this.#running = undefined;
    });
    this.#running = run;
    return run;
  }

  async #attempt(trigger: string): Promise<ReloadResult> {
    const started = performance.now();
    const finish = (errors: ReloadProblem[]): ReloadResult => ({
      ok: errors.length === 0,
      at: new Date().toISOString(),
      trigger,
      durationMs: Math.round((performance.now() - started) * 10) / 10,
      errors,
    });
    let loaded: LoadedConfig;
    let config: ResolvedConfig;
    let pipeline: Pipeline;
    try {
      loaded = await this.steps.load();
      config = this.steps.prepare(loaded);
      pipeline = this.steps.compile ? this.steps.compile(config) : compile(config);
    } catch (error) {
      return this.#failed(finish(problemsOf(error)));
    }
    const hash = configHash(config);
    try {
      await this.steps.apply(config, pipeline);
    } catch (error) {
      // Reconciling is past the point of no return only once the pipeline is swapped, which is
      // its last step; what failed before that left the old config serving.
      return this.#failed(finish([{ path: "", message: `could not apply the config: ${(error as Error).message}` }]));
    }
    const result = finish([]);
    this.status.served({ hash, file: loaded.file, loadedAt: result.at }, result);
    this.logger.info({ trigger, hash, durationMs: result.durationMs, file: loaded.file }, "config reloaded");
    await this.steps.follow([...loaded.dependencies, ...secretFiles(config)]).catch((error: Error) => this.logger.warn({ err: error.message }, "config watch could not be renewed"));
    return result;
  }

  #failed(result: ReloadResult): ReloadResult {
    this.status.failed(result);
    for (const problem of result.errors) {
      this.logger.error({ trigger: result.trigger, path: problem.path || "(config)" }, `reload failed: ${problem.path ? `${problem.path}: ` : ""}${problem.message}`);
    }
    this.logger.warn({ trigger: result.trigger, errors: result.errors.length, servingHash: this.status.serving?.hash }, "reload failed; the last good config keeps serving");
    return result;
  }
}

function problemsOf(error: unknown): ReloadProblem[] {
  if (error instanceof ConfigError) return error.issues.map((i) => ({ path: i.path, message: i.message }));
  if (error instanceof ConfigNotFoundError) return [{ path: "", message: error.message }];
  return [{ path: "", message: error instanceof Error ? error.message : String(error) }];
}
