import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { Logger } from "pino";
import { HttpBinding, type HttpBindingOptions } from "../bindings/http-binding.js";
import type { SessionFactory } from "../bindings/session-factory.js";
import { StdioBinding } from "../bindings/stdio-binding.js";
import { compile, type Pipeline } from "../compile/compile.js";
import type { ResolvedConfig } from "../config/index.js";
import type { RequestInfo } from "../core/context.js";
import { BackendPool } from "./backend-pool.js";
import { ClientSession, type SessionHost } from "./client-session.js";
import { SessionRegistry } from "./session-registry.js";
import { AuditTrail } from "./audit-trail.js";
import { RuntimeStatus } from "./runtime-status.js";
import { openAuditLog } from "../audit/index.js";
import { openModernServing, type ModernServing } from "./era/modern-serving.js";

export interface ServedEndpoint {
  readonly transport: "stdio" | "streamable-http" | "legacy-sse";
  readonly url: string;
}

export interface RunningGateway {
  readonly endpoints: readonly ServedEndpoint[];
  /** Resolves when a stdio client has gone (the proxy then has nothing left to serve on stdio). */
  readonly stdioClosed: Promise<void>;
  readonly gateway: Gateway;
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
  /** 2026-07-28 clients: session-less scopes per identity, the input_required bridge, the state seal. */
  readonly modern: ModernServing;

  constructor(
    config: ResolvedConfig,
    readonly logger: Logger,
    readonly version: string,
    readonly audit: AuditTrail = new AuditTrail(undefined, config.audit),
  ) {
    this.#config = config;
    this.#pipeline = compile(config);
    this.pool = new BackendPool(logger, { name: "mcp-portcullis", version });
    this.modern = openModernServing(this);
  }

  get pipeline(): Pipeline {
    return this.#pipeline;
  }

  get config(): ResolvedConfig {
    return this.#config;
  }

  /** A new client session for a binding, registered until it closes. */
  openSession(info: RequestInfo): ClientSession {
    const session = new ClientSession(this, info);
    this.sessions.add(session);
    return session;
  }

  closed(session: ClientSession): void {
    this.sessions.delete(session);
  }

  sessionFactory(): SessionFactory {
    return {
      create: (info) => this.openSession(info),
      logger: this.logger,
      // Through the current pipeline, so a reloaded config's credentials apply to the next request.
      authenticate: (headers) => this.#pipeline.authenticator.authenticate(headers),
      authenticationRefused: (info, outcome) => this.audit.authenticationRefused(info, outcome),
      modern: this.modern,
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
  const gateway = new Gateway(config, logger, version, await openAuditTrail(config.audit, logger));
  const factory = gateway.sessionFactory();
  const http: HttpBinding[] = [];
  let stdio: StdioBinding | undefined;
  let stdioGone!: () => void;
  const stdioClosed = new Promise<void>((resolve) => (stdioGone = resolve));
  const endpoints: ServedEndpoint[] = [];
  const close = async () => {
    await Promise.all([...http.map((b) => b.close()), stdio?.close()]);
    await gateway.sessions.closeAll();
    await gateway.modern.close();
    // Last: every request that ran has written its line by now.
    await gateway.audit.close();
  };
  try {
    for (const binding of config.bindings) {
      if (binding.transport === "stdio") {
        stdio = new StdioBinding(factory, binding);
        await stdio.start(stdioGone);
        endpoints.push({ transport: "stdio", url: "stdio" });
        continue;
      }
      const served = new HttpBinding(binding, httpBindingOptions(config.limits), factory);
      await served.listen();
      http.push(served);
      const urls = served.urls();
      endpoints.push({ transport: "streamable-http", url: urls.streamable });
      if (urls.sse) endpoints.push({ transport: "legacy-sse", url: urls.sse });
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { endpoints, stdioClosed, gateway, close };
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
