import { mkdirSync } from "node:fs";
import { setImmediate as yieldToIo } from "node:timers/promises";
import { dirname } from "node:path";
import type { Logger } from "pino";
import { AdminServer } from "../bindings/admin-server.js";
import type { SessionFactory } from "../bindings/session-factory.js";
import { compile, type Pipeline, type PipelineState } from "../compile/compile.js";
import { ResultStore } from "../compile/result-store.js";
import { ConcurrencyGates } from "../core/concurrency-gate.js";
import { BackendGuards } from "./backend-guards.js";
import type { LoadedConfig, ResolvedConfig } from "../config/index.js";
import type { RequestInfo } from "../core/context.js";
import { BackendPool } from "./backend-pool.js";
import { ClientSession, type SessionHost } from "./client-session.js";
import { SessionRegistry } from "./session-registry.js";
import { AuditTrail } from "./audit-trail.js";
import { IdentitySessions } from "./identity-sessions.js";
import { openRateLimitStore, type RateLimitStore } from "./rate-limit-store.js";
import { GatewayOps } from "./ops/gateway-ops.js";
import type { RequestObserver } from "./ops/request-observer.js";
import { type ReloadResult, RuntimeStatus } from "./runtime-status.js";
import { InFlight } from "./in-flight.js";
import { type ServedEndpoint, ServedBindings } from "./served-bindings.js";
import { planBackends, restartsAnything } from "./reload/backend-plan.js";
import { configHash, secretFiles } from "./reload/config-digest.js";
import { ConfigWatcher } from "./reload/config-watcher.js";
import { Reloader } from "./reload/reloader.js";
import { openAuditLog } from "../audit/index.js";
import { openModernServing, type ModernServing } from "./era/modern-serving.js";

export type { ServedEndpoint } from "./served-bindings.js";

export interface RunningGateway {
  readonly endpoints: readonly ServedEndpoint[];
  /** Resolves when a stdio client has gone (the proxy then has nothing left to serve on stdio). */
  readonly stdioClosed: Promise<void>;
  readonly gateway: Gateway;
  /** Base URL of the separate admin listener (`admin.listen`), when there is one. */
  readonly adminUrl: string | undefined;
  /**
   * Graceful stop: readiness fails (status draining), no new sessions, requests under way
   * finish within `limits.shutdownGraceMs`, then everything closes (see `close`).
   */
  shutdown(): Promise<void>;
  /** Closes bindings, sessions and backends, then flushes the audit log. */
  close(): Promise<void>;
}

/** Where a reload reads the config again, and what `start` checks before serving one. */
export interface ReloadSource {
  /** The files the config loaded at start imported (watched with it). */
  readonly dependencies?: readonly string[];
  load(): Promise<LoadedConfig>;
  prepare(loaded: LoadedConfig): ResolvedConfig;
}

/**
 * The one owner of the gateway's state: the current pipeline (one reference, swapped in one
 * assignment by a reload while each request keeps the one it started with), every backend
 * link (the pool), and every client session whichever binding opened it.
 */
export class Gateway implements SessionHost {
  #pipeline: Pipeline;
  #config: ResolvedConfig;
  #audit: AuditTrail;
  readonly pool: BackendPool;
  readonly sessions = new SessionRegistry<ClientSession>();
  /** Config serving, last reload, shutdown phase: written by the reloader, read by status and metrics. */
  readonly status = new RuntimeStatus();
  /** Each backend's concurrency cap and circuit breaker (`guards.circuitStates()` for status and metrics). */
  readonly guards: BackendGuards;
  /** The cache's answers, the concurrency caps' gates and the rate-limit counters: kept across recompiles (pass to `compile(next, gateway.pipelineState)`). */
  readonly pipelineState: PipelineState;
  /**
   * Rate-limit counters, owned here and not by a pipeline: every compile of the config gets
   * this same store, so a recompile with the same limits keeps their counts.
   */
  readonly rateLimits: RateLimitStore;
  /** Client sessions per caller, for limits.maxSessionsPerIdentity. */
  readonly #perIdentity = new IdentitySessions<ClientSession>();
  /** Health, metrics, tracing, readiness and the admin endpoints' handlers. */
  readonly ops: GatewayOps;
  /** Routed requests under way, across sessions (a shutdown waits for them). */
  readonly requests = new InFlight();
  /** Audit trails a reload replaced, until they close: a shutdown flushes them too. */
  readonly #retiredAudit = new Set<AuditTrail>();
  /** Set by startGateway: the listeners a reload reconciles. */
  bindings: ServedBindings | undefined;
  reloader: Reloader | undefined;
  /** 2026-07-28 clients: session-less scopes per identity, the input_required bridge, the state seal. */
  readonly modern: ModernServing;

  constructor(
    config: ResolvedConfig,
    readonly logger: Logger,
    readonly version: string,
    audit: AuditTrail = new AuditTrail(undefined, config.audit),
  ) {
    this.#config = config;
    this.#audit = audit;
    const cache = new ResultStore(config.cache.maxBytes);
    this.rateLimits = openRateLimitStore(config.limits.store, logger);
    this.pipelineState = { cache, gates: new ConcurrencyGates(), rateCounters: this.rateLimits };
    this.guards = new BackendGuards(logger);
    this.guards.apply(config);
    this.#pipeline = this.compileConfig(config);
    // The config is read through the gateway, so a reload's swap is what status and metrics see.
    const gateway = this;
    this.ops = new GatewayOps({
      version,
      status: this.status,
      logger,
      get config() {
        return gateway.config;
      },
      clientSessions: () => this.sessions.size,
      auditCounts: () => ({ enabled: this.audit.enabled, ...this.audit.counts }),
      rateLimits: () => this.rateLimits,
    });
    this.ops.setCircuitProvider((name: string) => this.guards.for(name).breaker?.state ?? "closed");
    const onNotice = (backend: string, method: string, params: Record<string, unknown> | undefined) => {
      const dropped = cache.onBackendNotice(backend, method, params);
      if (dropped > 0) logger.debug({ backend, method, dropped }, "cache: dropped answers the backend's notification made stale");
    };
    this.pool = new BackendPool(logger, { name: "mcp-portcullis", version }, config.state, onNotice, this.ops.health);
    this.modern = openModernServing(this, this.rateLimits.redis);
  }

  get observer(): RequestObserver {
    return this.ops.observer;
  }

  get pipeline(): Pipeline {
    return this.#pipeline;
  }

  /**
   * Compiles a config against this gateway's runtime state (cached answers, concurrency gates),
   * as a reload must so nothing cached or in flight is forgotten; `guards.apply(config)` brings
   * the backends' caps and breakers along when it is swapped in.
   */
  compileConfig(config: ResolvedConfig): Pipeline {
    return compile(config, this.pipelineState);
  }

  get config(): ResolvedConfig {
    return this.#config;
  }

  /** The audit trail new requests write to (a request keeps the one it started with). */
  get audit(): AuditTrail {
    return this.#audit;
  }

  /**
   * Reads the config again and applies it (the file watcher, SIGHUP and the admin route call
   * this); one reload at a time. A config that fails changes nothing.
   */
  reload(trigger: string): Promise<ReloadResult> {
    // A gateway on its way out opens nothing new (a reload could add listeners or backends).
    const refusal = this.status.phase !== "running" ? "the gateway is shutting down" : this.reloader ? undefined : "this gateway was started from a config value, not a file: there is nothing to reload";
    if (!refusal) return this.reloader!.reload(trigger);
    return Promise.resolve({ ok: false, at: new Date().toISOString(), trigger, durationMs: 0, errors: [{ path: "", message: refusal }] });
  }

  /**
   * Serves a new config: opens what it adds (listeners, an audit sink; a failure here leaves
   * the old config serving), swaps the pipeline, reconciles the backends of every session by
   * name, tells each client of the lists it now sees differently, and retires what was
   * replaced (old listeners and backend links drain, the old audit sink is flushed and closed
   * once the requests that captured it have written their lines).
   */
  async apply(next: ResolvedConfig, pipeline: Pipeline): Promise<void> {
    const previous = this.#config;
    const drainMs = next.reload.drainMs;
    const audit = await this.#nextAudit(previous.audit, next.audit);
    let retireBindings: () => void;
    try {
      retireBindings = (await this.bindings?.reconcile(next, drainMs)) ?? (() => undefined);
    } catch (error) {
      if (audit?.replacesSink) await audit.trail.close();
      throw error;
    }
    const plan = planBackends(previous, next);
    // A backend whose cap or breaker settings are unchanged keeps its guard (and its state).
    this.guards.apply(next);
    const previousPipeline = this.#pipeline;
    // The swap: from here new requests run on the new pipeline; those under way keep theirs.
    // Everything from here to each session's rebuilt surface (the start of refresh) runs
    // without a pause, so every session open at the swap is reconciled and no request sees
    // the new pipeline over an old surface.
    this.#config = next;
    this.#pipeline = pipeline;
    // A trail that shares its log with the new one is not closed: only a replaced sink is.
    const oldAudit = audit?.replacesSink ? this.#audit : undefined;
    if (audit) this.#audit = audit.trail;
    this.pool.retire([...plan.changed, ...plan.removed]);
    this.ops.reloaded(next, new Set([...plan.added, ...plan.changed, ...plan.removed]));
    // Modern callers' session-less scopes hold upstream sessions too: reconciled the same way.
    const sessions = [...this.sessions.all(), ...this.modern.sessions()];
    for (const session of sessions) session.reconcile(plan, drainMs);
    retireBindings();
    const comparisons = sessions.map((s) => s.refresh(previousPipeline));
    // One session at a time, letting requests in between: the new config serves while clients
    // are told of their changed lists, instead of waiting behind every session's comparison.
    for (const compare of comparisons) {
      await compare();
      await yieldToIo();
    }
    if (restartsAnything(plan)) this.logger.info({ added: [...plan.added], changed: [...plan.changed], removed: [...plan.removed], kept: plan.kept.size }, "backends reconciled");
    if (oldAudit) {
      this.#retiredAudit.add(oldAudit);
      // Closed here unless a shutdown closed it first (closeAudit took it out of the set).
      void oldAudit.inflight.idle(drainMs).then(() => (this.#retiredAudit.delete(oldAudit) ? oldAudit.close() : undefined));
    }
  }

  /** Flushes and closes every audit sink: one a recent reload replaced (its lines still being written) and the current one. */
  async closeAudit(): Promise<void> {
    const retired = [...this.#retiredAudit];
    this.#retiredAudit.clear();
    await Promise.all([...retired, this.#audit].map((trail) => trail.close()));
  }

  /**
   * The audit trail a new config asks for: none when nothing changed, the same log under new
   * settings when the sink did not change, else a new sink. A new sink on the file the old one
   * writes is opened after the old one flushed, so the new one reads the file's real end (a
   * chain resumes from it).
   */
  async #nextAudit(before: ResolvedConfig["audit"], after: ResolvedConfig["audit"]): Promise<{ trail: AuditTrail; replacesSink: boolean } | undefined> {
    if (sameJson(before, after)) return undefined;
    const sink = (a: ResolvedConfig["audit"]) => ({ enabled: a.enabled, sink: a.sink, file: a.file, chain: a.chain, rotate: a.rotate });
    if (sameJson(sink(before), sink(after))) return { trail: this.#audit.withSettings(after), replacesSink: false };
    if (before.enabled && after.enabled && before.file !== undefined && before.file === after.file) await this.#audit.flush();
    return { trail: await openAuditTrail(after, this.logger), replacesSink: true };
  }

  /** A new client session for a binding, registered until it closes; IDENTITY_SESSION_LIMIT when its caller holds its share. */
  openSession(info: RequestInfo): ClientSession {
    const session = this.#perIdentity.admit(info.identity, this.#config.limits.maxSessionsPerIdentity, () => new ClientSession(this, info));
    this.sessions.add(session);
    return session;
  }

  closed(session: ClientSession): void {
    this.sessions.delete(session);
    this.#perIdentity.release(session);
  }

  sessionFactory(): SessionFactory {
    return {
      create: (info) => this.openSession(info),
      logger: this.logger,
      // Through the current pipeline, so a reloaded config's credentials apply to the next request.
      authenticate: (headers, edge) => this.#pipeline.authenticator.authenticate(headers, edge),
      resourceMetadata: (resource) => this.#pipeline.authenticator.resourceMetadata?.(resource),
      authenticationRefused: (info, outcome) => this.#audit.authenticationRefused(info, outcome),
      modern: this.modern,
    };
  }
}

/** The composition root: one Gateway, every configured binding serving sessions of it, and (given a source) hot reload. */
export async function startGateway(config: ResolvedConfig, logger: Logger, version: string, source?: ReloadSource): Promise<RunningGateway> {
  const started = performance.now();
  const gateway = new Gateway(config, logger, version, await openAuditTrail(config.audit, logger));
  const admin = gateway.ops.handlers();
  const bindings = new ServedBindings(gateway.sessionFactory(), logger, admin);
  gateway.bindings = bindings;
  let watcher: ConfigWatcher | undefined;
  let adminServer: AdminServer | undefined;
  const close = async () => {
    await watcher?.close();
    await Promise.all([bindings.close(), adminServer?.close()]);
    await gateway.sessions.closeAll();
    await gateway.rateLimits.close();
    await gateway.ops.close();
    await gateway.modern.close();
    // Last: every request that ran has written its line by now.
    await gateway.closeAudit();
  };
  try {
    await gateway.ops.start();
    await bindings.start(config);
    if (config.admin.listen) {
      // The separate admin listener is opened once; changes to admin.listen apply on restart.
      adminServer = new AdminServer(config.admin.listen, admin, async (headers) => (await gateway.pipeline.authenticator.authenticate(headers)).ok);
      await adminServer.listen();
    }
  } catch (error) {
    await close();
    throw error;
  }
  if (source) {
    const follow = (files: readonly string[]) => watcher?.follow(files) ?? Promise.resolve();
    gateway.reloader = new Reloader({ load: source.load, prepare: source.prepare, compile: (next) => gateway.compileConfig(next), apply: (next, pipeline) => gateway.apply(next, pipeline).then(() => void (watcher && (watcher.debounceMs = next.reload.debounceMs))), follow }, gateway.status, logger);
  }
  // POST /admin/reload (when admin.reload is on) goes through the same one-at-a-time reloader.
  gateway.ops.setReloader(gateway.reloader ? (trigger) => gateway.reload(trigger) : undefined);
  const result = { ok: true, at: new Date().toISOString(), trigger: "start", durationMs: Math.round((performance.now() - started) * 10) / 10, errors: [] };
  gateway.status.served({ hash: configHash(config), file: config.file ?? "", loadedAt: result.at }, result);
  if (source && config.reload.enabled && config.file) {
    watcher = new ConfigWatcher(
      config.reload.debounceMs,
      (file) => void gateway.reload("file").then((r) => r.ok || logger.debug({ file }, "the change that set off the failed reload")),
      (error) => logger.warn({ err: error.message }, "config watcher error"),
    );
    await watcher.follow([config.file, ...(source.dependencies ?? []), ...secretFiles(config)]);
  }
  const shutdown = async () => {
    gateway.status.draining();
    bindings.stopAccepting("the gateway is shutting down");
    await watcher?.close();
    await gateway.reloader?.idle();
    const drained = await gateway.requests.idle(gateway.config.limits.shutdownGraceMs);
    if (!drained) logger.warn({ inflight: gateway.requests.count, graceMs: gateway.config.limits.shutdownGraceMs }, "shutdown grace time passed with requests under way; closing them");
    await close();
    gateway.status.stopped();
  };
  return {
    get endpoints() {
      return bindings.endpoints;
    },
    stdioClosed: bindings.stdioClosed,
    gateway,
    adminUrl: adminServer?.url(),
    shutdown,
    close,
  };
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The audit trail the config asks for; its sink's problems go to the operational log. */
async function openAuditTrail(settings: ResolvedConfig["audit"], logger: Logger): Promise<AuditTrail> {
  if (!settings.enabled) return new AuditTrail(undefined, settings);
  // The folder a config names for its audit file is made on start, as a log folder would be.
  try {
    if (settings.file) mkdirSync(dirname(settings.file), { recursive: true });
  } catch {
    // The sink reports why it cannot write, and retries.
  }
  const log = await openAuditLog(
    { sink: settings.sink, ...(settings.file ? { file: settings.file } : {}), chain: settings.chain, onFailure: settings.onFailure, ...(settings.rotate ? { rotate: settings.rotate } : {}) },
    (message, error) => logger.error({ err: error, file: settings.file }, `audit: ${message}`),
  );
  return new AuditTrail(log, settings);
}
