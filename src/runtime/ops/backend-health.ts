import type { LinkMonitor, LinkState } from "../backend-link.js";

/** What /status shows of one backend, and what its metrics read. */
export interface BackendHealthView {
  /**
   * up: at least one upstream session is connected; down: none is, and one is failing (being
   * restarted); idle: nothing runs for it now (a per-client backend no client uses yet).
   */
  readonly state: "idle" | "up" | "down";
  /** Upstream sessions connected now (clients' own, shared, catalogs, the readiness probe). */
  readonly upstreamSessions: number;
  /** Restarts scheduled after a failed start or a lost session, since the gateway started. */
  readonly restarts: number;
  /** Has it been up at least once since the gateway started? */
  readonly everUp: boolean;
  readonly lastError: string | undefined;
  readonly lastErrorAt: string | undefined;
  readonly lastUpAt: string | undefined;
}

interface Entry {
  up: number;
  down: number;
  restarts: number;
  everUp: boolean;
  lastError: string | undefined;
  lastErrorAt: string | undefined;
  lastUpAt: string | undefined;
}

/** Longest error text kept: enough to tell a cause, not a place to store a backend's whole answer. */
const MAX_ERROR_CHARS = 300;

const IDLE: BackendHealthView = { state: "idle", upstreamSessions: 0, restarts: 0, everUp: false, lastError: undefined, lastErrorAt: undefined, lastUpAt: undefined };

/**
 * Counts every backend link by state (it is the pool's LinkMonitor), so the status page,
 * readiness and metrics read one set of facts and none reaches into the links.
 */
export class BackendHealth implements LinkMonitor {
  readonly #entries = new Map<string, Entry>();

  moved(backend: string, from: LinkState, to: LinkState, reason?: string): void {
    const entry = this.#entry(backend);
    if (from === "up") entry.up = Math.max(0, entry.up - 1);
    if (from === "down") entry.down = Math.max(0, entry.down - 1);
    if (to === "up") {
      entry.up += 1;
      entry.everUp = true;
      entry.lastUpAt = new Date().toISOString();
    }
    if (to === "down") {
      entry.down += 1;
      entry.restarts += 1;
      const text = reason ?? "unknown";
      entry.lastError = text.length > MAX_ERROR_CHARS ? `${text.slice(0, MAX_ERROR_CHARS)}…` : text;
      entry.lastErrorAt = new Date().toISOString();
    }
  }

  view(backend: string): BackendHealthView {
    const e = this.#entries.get(backend);
    if (!e) return IDLE;
    return {
      state: e.up > 0 ? "up" : e.down > 0 ? "down" : "idle",
      upstreamSessions: e.up,
      restarts: e.restarts,
      everUp: e.everUp,
      lastError: e.lastError,
      lastErrorAt: e.lastErrorAt,
      lastUpAt: e.lastUpAt,
    };
  }

  #entry(backend: string): Entry {
    let entry = this.#entries.get(backend);
    if (!entry) {
      entry = { up: 0, down: 0, restarts: 0, everUp: false, lastError: undefined, lastErrorAt: undefined, lastUpAt: undefined };
      this.#entries.set(backend, entry);
    }
    return entry;
  }
}
