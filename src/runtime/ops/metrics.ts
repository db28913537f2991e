import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { ResolvedConfig } from "../../config/index.js";
import type { RuntimeStatus } from "../runtime-status.js";
import type { BackendHealth } from "./backend-health.js";

/** What metrics read of the gateway when scraped; plain getters, so nothing is counted twice. */
export interface MetricsSources {
  readonly status: RuntimeStatus;
  readonly health: BackendHealth;
  /** The backends of the config serving now. */
  backends(): ResolvedConfig["backends"];
  clientSessions(): number;
  auditCounts(): { readonly written: number; readonly dropped: number };
  ready(): boolean;
  /** A backend's circuit breaker state ("closed", "open", "half-open"); undefined without one. */
  circuitOf(backend: string): string | undefined;
  /** The rate-limit counter store: whether its in-memory insurance limiter is deciding (Redis unreachable). */
  rateLimits(): { readonly insuranceActive: boolean; readonly insuranceDecisions: number };
}

/** One routed request as metrics see it. */
export interface RequestSample {
  readonly method: string;
  /** Empty for requests not routed to one backend (lists, pings of the merged surface). */
  readonly backend: string;
  readonly decision: "allow" | "deny" | "none";
  readonly status: "ok" | "error";
  readonly seconds: number;
}

/** Up to 30 s: MCP calls range from sub-millisecond lists to tools that think for a while. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * The gateway's Prometheus metrics, in a registry of its own (never prom-client's global one,
 * so two gateways in one process, as in tests, do not mix their numbers). Per-request
 * counters are incremented on the hot path; everything that is state (backends, sessions,
 * reloads, audit) is read from its owner when /metrics is scraped.
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  readonly #requests: Counter<"method" | "backend" | "decision" | "status">;
  readonly #latency: Histogram<"method" | "backend">;
  readonly #upstream: Histogram<"backend" | "method" | "status">;

  constructor(sources: MetricsSources, version: string) {
    const registers = [this.registry];
    this.#requests = new Counter({
      name: "mcp_proxy_requests_total",
      help: "Routed requests by MCP method, backend (empty when not routed to one), policy decision and outcome (ok or error).",
      labelNames: ["method", "backend", "decision", "status"],
      registers,
    });
    this.#latency = new Histogram({
      name: "mcp_proxy_request_duration_seconds",
      help: "Time from a routed request reaching the pipeline to its answer.",
      labelNames: ["method", "backend"],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.#upstream = new Histogram({
      name: "mcp_proxy_upstream_duration_seconds",
      help: "Time a backend took to answer one forwarded request.",
      labelNames: ["backend", "method", "status"],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    new Gauge({
      name: "mcp_proxy_info",
      help: "Always 1; the gateway's version as a label.",
      labelNames: ["version"],
      registers,
      collect() {
        this.set({ version }, 1);
      },
    });
    const backendNames = () => Object.keys(sources.backends());
    /** A gauge set from each backend's current value when scraped. */
    const backendGauge = (read: (name: string) => number) =>
      function (this: Gauge<"backend">) {
        this.reset();
        for (const name of backendNames()) this.set({ backend: name }, read(name));
      };
    new Gauge({
      name: "mcp_proxy_backend_up",
      help: "1 while at least one upstream session of the backend is connected, else 0.",
      labelNames: ["backend"],
      registers,
      collect: backendGauge((name) => (sources.health.view(name).state === "up" ? 1 : 0)),
    });
    new Gauge({
      name: "mcp_proxy_backend_upstream_sessions",
      help: "Upstream sessions of the backend connected now (clients' own, shared, catalogs).",
      labelNames: ["backend"],
      registers,
      collect: backendGauge((name) => sources.health.view(name).upstreamSessions),
    });
    new Counter({
      name: "mcp_proxy_backend_restarts_total",
      help: "Restarts of the backend's upstream sessions after a failed start or a lost session.",
      labelNames: ["backend"],
      registers,
      // A counter kept by BackendHealth, copied in when scraped (it only ever grows there).
      collect() {
        this.reset();
        for (const name of backendNames()) this.inc({ backend: name }, sources.health.view(name).restarts);
      },
    });
    new Gauge({
      name: "mcp_proxy_backend_circuit_open",
      help: "Circuit breaker state per backend with a breaker: 0 closed, 1 open (calls fail fast), 0.5 half-open (one trial call decides).",
      labelNames: ["backend"],
      registers,
      collect() {
        this.reset();
        for (const name of backendNames()) {
          const state = sources.circuitOf(name);
          if (state !== undefined) this.set({ backend: name }, state === "open" ? 1 : state === "half-open" ? 0.5 : 0);
        }
      },
    });
    new Gauge({
      name: "mcp_proxy_rate_limit_insurance_active",
      help: "1 while rate limits are decided by this process's in-memory insurance limiter because the Redis counter store is unreachable.",
      registers,
      collect() {
        this.set(sources.rateLimits().insuranceActive ? 1 : 0);
      },
    });
    new Counter({
      name: "mcp_proxy_rate_limit_insurance_decisions_total",
      help: "Requests counted by the in-memory insurance limiter while Redis was unreachable.",
      registers,
      collect() {
        this.reset();
        this.inc(sources.rateLimits().insuranceDecisions);
      },
    });
    new Gauge({
      name: "mcp_proxy_client_sessions",
      help: "Client sessions open now, all bindings together.",
      registers,
      collect() {
        this.set(sources.clientSessions());
      },
    });
    new Counter({
      name: "mcp_proxy_reloads_total",
      help: "Config reloads by result: ok (the new config serves) or failed (the last good one kept serving).",
      labelNames: ["result"],
      registers,
      collect() {
        this.reset();
        this.inc({ result: "ok" }, sources.status.reloadsOk);
        this.inc({ result: "failed" }, sources.status.reloadsFailed);
      },
    });
    new Gauge({
      name: "mcp_proxy_config_synchronized",
      help: "1 when the config serving is the last one loaded (the last load or reload succeeded), 0 while a failed reload left an older one serving.",
      registers,
      collect() {
        this.set(sources.status.configSynchronized);
      },
    });
    new Gauge({
      name: "mcp_proxy_ready",
      help: "1 when GET /readyz answers 200.",
      registers,
      collect() {
        this.set(sources.ready() ? 1 : 0);
      },
    });
    new Counter({
      name: "mcp_proxy_audit_lines_written_total",
      help: "Audit lines accepted by the audit sink for writing.",
      registers,
      collect() {
        this.reset();
        this.inc(sources.auditCounts().written);
      },
    });
    new Counter({
      name: "mcp_proxy_audit_lines_dropped_total",
      help: "Audit lines the sink dropped (it could not write, fell behind, or a record was not JSON).",
      registers,
      collect() {
        this.reset();
        this.inc(sources.auditCounts().dropped);
      },
    });
  }

  request(sample: RequestSample): void {
    this.#requests.inc({ method: sample.method, backend: sample.backend, decision: sample.decision, status: sample.status });
    this.#latency.observe({ method: sample.method, backend: sample.backend }, sample.seconds);
  }

  upstream(backend: string, method: string, status: "ok" | "error", seconds: number): void {
    this.#upstream.observe({ backend, method, status }, seconds);
  }

  /** The exposition text and its content type, for GET /metrics. */
  async render(): Promise<{ contentType: string; text: string }> {
    return { contentType: this.registry.contentType, text: await this.registry.metrics() };
  }
}
