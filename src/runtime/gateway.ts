import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { Logger } from "pino";
import { AdminServer } from "../bindings/admin-server.js";
import { HttpBinding, type HttpBindingOptions } from "../bindings/http-binding.js";
import type { SessionFactory } from "../bindings/session-factory.js";
import { StdioBinding } from "../bindings/stdio-binding.js";
import { compile, type Pipeline, type PipelineState } from "../compile/compile.js";
import { ResultStore } from "../compile/result-store.js";
import { ConcurrencyGates } from "../core/concurrency-gate.js";
import { BackendGuards } from "./backend-guards.js";
import type { ResolvedConfig } from "../config/index.js";
import type { RequestInfo } from "../core/context.js";
import { BackendPool } from "./backend-pool.js";
import { ClientSession, type SessionHost } from "./client-session.js";
import { SessionRegistry } from "./session-registry.js";
import { AuditTrail } from "./audit-trail.js";
import { IdentitySessions } from "./identity-sessions.js";
import { openRateLimitStore, type RateLimitStore } from "./rate-limit-store.js";
import { configHash } from "./ops/config-hash.js";
import { GatewayOps } from "./ops/gateway-ops.js";
import type { RequestObserver } from "./ops/request-observer.js";
import { RuntimeStatus } from "./runtime-status.js";
import { openAuditLog } from "../audit/index.js";

export interface ServedEndpoint {
  readonly transport: "stdio" | "streamable-http" | "legacy-sse";
  readonly url: string;
}

export interface RunningGateway {
  readonly endpoints: readonly ServedEndpoint[];
  /** Resolves when a stdio client has gone (the proxy then has nothing left to serve on stdio). */
  readonly stdioClosed: Promise<void>;
  readonly gateway: Gateway;
  /** Base URL of the separate admin listener (`admin.listen`), when there is one. */
  readonly adminUrl: string | undefined;
  close(): Promise<void>;
}

/**
 * The one owner of the gateway's state: the current pipeline (one reference, so a later
 * reload can swap it in one assignment while each request keeps the one it started with),
 * every backend link (the pool), and every client session whichever binding opened it.
 */
export class Gateway implements SessionHost {
  #pipeline: Pipeline;
  #config: ResolvedConfig;
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

  constructor(
    config: ResolvedConfig,
    readonly logger: Logger,
    readonly version: string,
    readonly audit: AuditTrail = new AuditTrail(undefined, config.audit),
  ) {
    this.#config = config;
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
      authenticationRefused: (info, outcome) => this.audit.authenticationRefused(info, outcome),
    };
  }
}

/** What an HTTP binding is told of the limits; bindings know no config types. */
function httpBindingOptions(limits: ResolvedConfig["limits"]): HttpBindingOptions {
  return {
    maxBodyBytes: limits.maxBodyBytes,
    maxSessions: limits.maxClientSessions,
    idleMs: limits.clientSessionIdleMs,
    streamIdleMs: limits.streamSessionIdleMs,
    maxBatchSize: limits.maxBatchSize,
    maxResponseBytes: limits.maxResponseBytes,
    maxStreamBufferBytes: limits.maxStreamBufferBytes,
    // The handshake cannot complete before initialize is answered, which may take initializeWaitMs.
    handshakeMs: limits.initializeWaitMs + limits.uninitializedSessionMs,
    maxUninitializedSessions: limits.maxUninitializedSessions,
    maxConnections: limits.maxConnections,
    maxConnectionsPerAddress: limits.maxConnectionsPerAddress,
  };
}

/** The composition root: one Gateway, and every configured binding serving sessions of it. */
export async function startGateway(config: ResolvedConfig, logger: Logger, version: string): Promise<RunningGateway> {
  const startedAt = Date.now();
  const gateway = new Gateway(config, logger, version, await openAuditTrail(config.audit, logger));
  const factory = gateway.sessionFactory();
  const admin = gateway.ops.handlers();
  const http: HttpBinding[] = [];
  let adminServer: AdminServer | undefined;
  let stdio: StdioBinding | undefined;
  let stdioGone!: () => void;
  const stdioClosed = new Promise<void>((resolve) => (stdioGone = resolve));
  const endpoints: ServedEndpoint[] = [];
  const close = async () => {
    await Promise.all([...http.map((b) => b.close()), stdio?.close(), adminServer?.close()]);
    await gateway.sessions.closeAll();
    await gateway.rateLimits.close();
    await gateway.ops.close();
    // Last: every request that ran has written its line by now.
    await gateway.audit.close();
  };
  try {
    await gateway.ops.start();
    // The reloader records each later config the same way (trigger "file", "SIGHUP", "admin").
    const loadedAt = new Date().toISOString();
    gateway.status.served(
      { hash: configHash(config), file: config.file ?? "(inline)", loadedAt },
      { ok: true, at: loadedAt, trigger: "start", durationMs: Date.now() - startedAt, errors: [] },
    );
    for (const binding of config.bindings) {
      if (binding.transport === "stdio") {
        stdio = new StdioBinding(factory, binding);
        await stdio.start(stdioGone);
        endpoints.push({ transport: "stdio", url: "stdio" });
        continue;
      }
      // Bindings know no Secret: the PEM goes to node:https as text.
      const tls = binding.tls ? { cert: binding.tls.cert.reveal(), key: binding.tls.key.reveal() } : undefined;
      const served = new HttpBinding({ ...binding, tls }, httpBindingOptions(config.limits), factory, admin);
      await served.listen();
      http.push(served);
      const urls = served.urls();
      endpoints.push({ transport: "streamable-http", url: urls.streamable });
      if (urls.sse) endpoints.push({ transport: "legacy-sse", url: urls.sse });
    }
    if (config.admin.listen) {
      adminServer = new AdminServer(config.admin.listen, admin, async (headers) => (await gateway.pipeline.authenticator.authenticate(headers)).ok);
      await adminServer.listen();
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { endpoints, stdioClosed, gateway, adminUrl: adminServer?.url(), close };
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
