import { scrubberFor } from "../../backends/secret-scrubber.js";
import type { ResolvedConfig } from "../../config/index.js";
import type { ReloadResult, RuntimeStatus, ServingConfig, ShutdownPhase } from "../runtime-status.js";
import type { BackendHealth } from "./backend-health.js";

/** What GET /status answers (and the status page shows). Holds no secret by construction. */
export interface StatusReport {
  readonly service: "mcp-portcullis";
  readonly version: string;
  readonly startedAt: string;
  readonly phase: ShutdownPhase;
  readonly ready: boolean;
  /** Why the gateway is not ready (empty when it is). */
  readonly notReady: readonly string[];
  readonly config: ServingConfig | null;
  readonly configSynchronized: 0 | 1;
  readonly lastReload: ReloadResult | null;
  readonly reloads: { readonly ok: number; readonly failed: number };
  readonly clientSessions: number;
  readonly backends: readonly BackendStatus[];
  readonly audit: { readonly enabled: boolean; readonly written: number; readonly dropped: number };
}

export interface BackendStatus {
  readonly name: string;
  readonly transport: "stdio" | "http" | "sse";
  readonly session: "per-client" | "shared";
  readonly enabled: boolean;
  readonly required: boolean;
  readonly state: "idle" | "up" | "down" | "disabled";
  readonly upstreamSessions: number;
  readonly restarts: number;
  readonly lastError: string | null;
  readonly lastErrorAt: string | null;
  readonly lastUpAt: string | null;
  /** The circuit breaker's state, when one is wired in (`closed` otherwise). */
  readonly circuit: string;
}

export interface StatusSources {
  readonly version: string;
  readonly status: RuntimeStatus;
  readonly health: BackendHealth;
  config(): ResolvedConfig;
  clientSessions(): number;
  audit(): { readonly enabled: boolean; readonly written: number; readonly dropped: number };
  /** Optional: a circuit breaker's state per backend. */
  circuitOf?(backend: string): string | undefined;
}

/**
 * Why the gateway should not get traffic now: no config serving, shutting down, or a
 * `required` backend that has never started since the gateway did, or is failing now.
 */
export function notReadyReasons(sources: StatusSources): string[] {
  const reasons: string[] = [];
  if (!sources.status.serving) reasons.push("no config is serving yet");
  if (sources.status.phase !== "running") reasons.push(`the gateway is ${sources.status.phase}`);
  for (const backend of Object.values(sources.config().backends)) {
    if (!backend.enabled || !backend.required) continue;
    const view = sources.health.view(backend.name);
    if (!view.everUp) reasons.push(`required backend "${backend.name}" has not started yet`);
    else if (view.state === "down") reasons.push(`required backend "${backend.name}" is down`);
  }
  return reasons;
}

/** Builds the status report: only names, states, counts, times and scrubbed error texts. */
export function statusReport(sources: StatusSources): StatusReport {
  const config = sources.config();
  const notReady = notReadyReasons(sources);
  const backends = Object.values(config.backends).map((backend): BackendStatus => {
    const view = sources.health.view(backend.name);
    // Links log reasons already scrubbed; scrubbing again costs nothing and guards the one page anyone may open.
    const scrub = scrubberFor(backend);
    return {
      name: backend.name,
      transport: backend.transport,
      session: backend.session,
      enabled: backend.enabled,
      required: backend.required,
      state: backend.enabled ? view.state : "disabled",
      upstreamSessions: view.upstreamSessions,
      restarts: view.restarts,
      lastError: view.lastError === undefined ? null : scrub(view.lastError),
      lastErrorAt: view.lastErrorAt ?? null,
      lastUpAt: view.lastUpAt ?? null,
      circuit: sources.circuitOf?.(backend.name) ?? "closed",
    };
  });
  return {
    service: "mcp-portcullis",
    version: sources.version,
    startedAt: sources.status.startedAt,
    phase: sources.status.phase,
    ready: notReady.length === 0,
    notReady,
    config: sources.status.serving ?? null,
    configSynchronized: sources.status.configSynchronized,
    lastReload: sources.status.lastReload ?? null,
    reloads: { ok: sources.status.reloadsOk, failed: sources.status.reloadsFailed },
    clientSessions: sources.clientSessions(),
    backends,
    audit: sources.audit(),
  };
}
