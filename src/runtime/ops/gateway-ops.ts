import type { Logger } from "pino";
import type { AdminAnswer, AdminHandlers } from "../../bindings/admin-routes.js";
import type { ResolvedConfig } from "../../config/index.js";
import type { ReloadResult, RuntimeStatus } from "../runtime-status.js";
import { BackendHealth } from "./backend-health.js";
import { GatewayMetrics } from "./metrics.js";
import { ReadinessProbe } from "./readiness-probe.js";
import { RequestObserver } from "./request-observer.js";
import { renderStatusPage } from "./status-page.js";
import { notReadyReasons, type StatusSources, statusReport } from "./status-report.js";
import { startTracing, type Tracer } from "./tracing.js";

/** What the operational side reads of the gateway; the Gateway itself provides it. */
export interface OpsHost {
  readonly version: string;
  readonly status: RuntimeStatus;
  readonly config: ResolvedConfig;
  readonly logger: Logger;
  clientSessions(): number;
  auditCounts(): { readonly enabled: boolean; readonly written: number; readonly dropped: number };
  rateLimits(): { readonly insuranceActive: boolean; readonly insuranceDecisions: number };
}

/** Reloads the config; `trigger` says why ("admin" for POST /admin/reload). */
export type Reloader = (trigger: string) => Promise<ReloadResult>;

/**
 * The gateway's operational side in one place: backend health (the pool's link monitor),
 * metrics, tracing, readiness, and the handlers behind /healthz, /readyz, /status, /metrics
 * and /admin/reload. The serving side (bindings, sessions, pipeline) only calls into it.
 */
export class GatewayOps {
  readonly health = new BackendHealth();
  readonly metrics: GatewayMetrics;
  #observer: RequestObserver;
  #tracer: Tracer | undefined;
  #probe: ReadinessProbe | undefined;
  #reloader: Reloader | undefined;
  /** A circuit breaker's state per backend, once one is wired in. */
  #circuitOf: ((backend: string) => string | undefined) | undefined;
  readonly #sources: StatusSources;

  constructor(private readonly host: OpsHost) {
    this.#sources = {
      version: host.version,
      status: host.status,
      health: this.health,
      config: () => host.config,
      clientSessions: () => host.clientSessions(),
      audit: () => host.auditCounts(),
      circuitOf: (backend) => this.#circuitOf?.(backend),
    };
    this.metrics = new GatewayMetrics(
      {
        status: host.status,
        health: this.health,
        backends: () => host.config.backends,
        clientSessions: () => host.clientSessions(),
        auditCounts: () => host.auditCounts(),
        circuitOf: (backend) => this.#circuitOf?.(backend),
        rateLimits: () => host.rateLimits(),
        ready: () => this.notReady().length === 0,
      },
      host.version,
    );
    this.#observer = new RequestObserver(this.metrics, undefined);
  }

  get observer(): RequestObserver {
    return this.#observer;
  }

  /**
   * Start-up: tracing when configured (its packages loaded now, or a clear error), required
   * backends probed for readiness.
   */
  async start(): Promise<void> {
    const config = this.host.config;
    if (config.tracing) {
      this.#tracer = await startTracing(config.tracing, this.host.version);
      this.#observer = new RequestObserver(this.metrics, this.#tracer);
    }
    this.#probe = new ReadinessProbe(config, this.host.logger, this.health, { name: "mcp-portcullis", version: this.host.version });
  }

  /** A reload serves `config`: required backends it added, changed or removed are probed anew (see ReadinessProbe.reconcile). */
  reloaded(config: ResolvedConfig, touched: ReadonlySet<string>): void {
    this.#probe?.reconcile(config, touched);
  }

  /** Lets the reloader serve POST /admin/reload (when `admin.reload` is on). */
  setReloader(reloader: Reloader | undefined): void {
    this.#reloader = reloader;
  }

  /** Lets a circuit breaker show its state per backend on /status. */
  setCircuitProvider(circuitOf: ((backend: string) => string | undefined) | undefined): void {
    this.#circuitOf = circuitOf;
  }

  notReady(): string[] {
    return notReadyReasons(this.#sources);
  }

  /** The plain functions HTTP bindings (and the admin listener) serve the endpoints with. */
  handlers(): AdminHandlers {
    const host = this.host;
    return {
      health: () => ({ status: 200, body: { status: "ok" } }),
      ready: () => {
        const reasons = this.notReady();
        return reasons.length === 0 ? { status: 200, body: { ready: true } } : { status: 503, body: { ready: false, reasons } };
      },
      status: () => statusReport(this.#sources),
      statusHtml: () => renderStatusPage(statusReport(this.#sources)),
      metrics: () => this.metrics.render(),
      reload: () => this.#reload(),
      // Read per request, so a reloaded config's admin settings apply at once.
      get access() {
        const admin = host.config.admin;
        const token = admin.token;
        return { exposure: admin.exposure, token: token ? () => token.reveal() : undefined, reload: admin.reload };
      },
    };
  }

  #reload(): Promise<AdminAnswer> | undefined {
    const reloader = this.#reloader;
    if (!reloader) return undefined;
    // 409: the request was fine, the new config was not; the last good one keeps serving.
    return reloader("admin").then((result) => ({ status: result.ok ? 200 : 409, body: result }));
  }

  async close(): Promise<void> {
    await this.#probe?.close();
    await this.#tracer?.close().catch((error: unknown) => this.host.logger.warn({ err: (error as Error).message }, "tracing: spans could not be exported at shutdown"));
  }
}
