import type { Logger } from "pino";
import { CredentialBroker, type CredentialSource, TokenStore } from "../backends/credentials/index.js";
import type { ResolvedBackend, ResolvedState } from "../config/index.js";
import type { BackendNotice, LinkMonitor } from "./backend-link.js";
import type { BackendReach } from "./backend-reach.js";
import { BackendCatalogs } from "./backend-catalog.js";
import { BackendSlots } from "./backend-slots.js";
import { OwnBackend, type OwnBackendEvents } from "./own-backend.js";
import { SharedBackend, type SharedSubscriber } from "./shared-backend.js";

/** What a client session offers the pool: how to reach it, and what it advertises upstream. */
export interface PoolClient {
  readonly subscriber: SharedSubscriber;
  own(backend: string): OwnBackendEvents;
  advertise(): { info: { name: string; version: string }; capabilities: Record<string, unknown> };
  /** Who the client is (callerKey), for a backend's maxSessionsPerIdentity. */
  readonly caller: string;
  /** The token the client's caller presented last (for token exchange only; never forwarded). */
  callerToken(): string | undefined;
}

/**
 * Every link to every backend: the per-backend session slots (`maxSessions`) shared by all
 * clients, and the shared backends by name. A client session asks it for its way to each
 * backend and gets the same kind of thing whatever the backend's session mode.
 */
export class BackendPool {
  readonly slots = new BackendSlots();
  readonly #shared = new Map<string, SharedBackend>();
  readonly #catalogs: BackendCatalogs;
  /** Where backends with `auth` get their bearer tokens; one cache for every session. */
  readonly credentials: CredentialBroker;

  constructor(
    private readonly logger: Logger,
    /** How the gateway introduces itself to a shared backend or a catalog, as that connection's one client. */
    private readonly self: { name: string; version: string },
    state: ResolvedState,
    /** Hears every backend's notifications, from every link (the result cache's invalidation). */
    private readonly onNotice?: BackendNotice,
    /** Told of every link's ups and downs (status, readiness, metrics). */
    private readonly monitor?: LinkMonitor,
  ) {
    this.credentials = new CredentialBroker(new TokenStore(state.dir, state.key));
    this.#catalogs = new BackendCatalogs(logger, self, (backend) => backendWideCredentials(this.credentials, backend), onNotice, monitor);
  }

  /**
   * A per-client backend is listed from a catalog until the client first uses it (see
   * `OwnBackend`); one whose token is exchanged per caller has none (a catalog has no caller),
   * so the client's own session starts at initialize with its caller's token.
   */
  reach(backend: ResolvedBackend, client: PoolClient): BackendReach {
    if (backend.session === "shared") return this.#sharedOf(backend).seat(client.subscriber);
    const perCaller = backend.transport !== "stdio" && backend.auth?.type === "tokenExchange";
    const catalog = perCaller ? undefined : this.#catalogs.for(backend, client.advertise().capabilities);
    const credentials = backend.transport === "stdio" ? undefined : this.credentials.forCaller(backend, () => client.callerToken());
    return new OwnBackend({ backend, logger: this.logger, slots: this.slots, caller: client.caller, client: () => client.advertise(), credentials, onNotice: this.onNotice, ...(this.monitor ? { monitor: this.monitor } : {}) }, client.own(backend.name), catalog);
  }

  /**
   * A reload changed or removed these backends: the next reach starts a new shared link or
   * catalog with the new definition, while sessions still holding the old ones drain them.
   */
  retire(backends: Iterable<string>): void {
    for (const name of backends) {
      this.#shared.delete(name);
      this.#catalogs.forget(name);
    }
  }

  #sharedOf(backend: ResolvedBackend): SharedBackend {
    let shared = this.#shared.get(backend.name);
    if (!shared) {
      shared = new SharedBackend(backend, this.logger, this.slots, this.self, backendWideCredentials(this.credentials, backend), this.onNotice, this.monitor);
      this.#shared.set(backend.name, shared);
    }
    return shared;
  }
}

function backendWideCredentials(broker: CredentialBroker, backend: ResolvedBackend): CredentialSource | undefined {
  return backend.transport === "stdio" ? undefined : broker.backendWide(backend);
}
