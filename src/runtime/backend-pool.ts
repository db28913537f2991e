import type { Logger } from "pino";
import type { ResolvedBackend } from "../config/index.js";
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

  constructor(
    private readonly logger: Logger,
    /** How the gateway introduces itself to a shared backend or a catalog, as that connection's one client. */
    private readonly self: { name: string; version: string },
  ) {
    this.#catalogs = new BackendCatalogs(logger, self);
  }

  /** A per-client backend is listed from a catalog until the client first uses it (see `OwnBackend`). */
  reach(backend: ResolvedBackend, client: PoolClient): BackendReach {
    if (backend.session === "shared") return this.#sharedOf(backend).seat(client.subscriber);
    const catalog = this.#catalogs.for(backend, client.advertise().capabilities);
    return new OwnBackend({ backend, logger: this.logger, slots: this.slots, client: () => client.advertise() }, client.own(backend.name), catalog);
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
      shared = new SharedBackend(backend, this.logger, this.slots, this.self);
      this.#shared.set(backend.name, shared);
    }
    return shared;
  }
}
