import type { Logger } from "pino";
import type { CredentialSource } from "../backends/credentials/index.js";
import type { InitializeInfo } from "../backends/upstream-session.js";
import type { ResolvedBackend } from "../config/index.js";
import type { Result } from "../core/context.js";
import { ProxyError } from "../core/errors.js";
import type { BackendListing } from "../core/surface.js";
import { BackendLink, type BackendNotice, type LinkMonitor } from "./backend-link.js";
import { BackendSlots } from "./backend-slots.js";

/** What a client session's reach hears from the catalog it lists from. */
export interface CatalogWatcher {
  changed(): void;
}

/**
 * One upstream session of a per-client backend that only lists, so that a client that never
 * calls anything costs no process of its own. The gateway is its client, advertising what
 * the clients that list from it can do, as far as servers list by it: the reference
 * `everything` server offers its sampling and elicitation tools only to clients that can
 * answer them, so such clients get a catalog of their own (`catalogCapabilities`). A server→client request has no client to reach:
 * roots are answered with an empty list, anything else is refused. It runs while some
 * client session lists from it and closes when the last one leaves.
 */
export class BackendCatalog {
  readonly #watchers = new Set<CatalogWatcher>();
  readonly #link: BackendLink;

  constructor(
    backend: ResolvedBackend,
    logger: Logger,
    slots: BackendSlots,
    client: { info: { name: string; version: string }; capabilities: Record<string, unknown> },
    credentials: CredentialSource | undefined,
    /** Called when the last watcher leaves, so the owner forgets this catalog before it closes. */
    private readonly onEmpty: () => void,
    onNotice?: BackendNotice,
    monitor?: LinkMonitor,
  ) {
    this.#link = new BackendLink(
      { backend, logger: logger.child({ catalog: true }), slots, client: () => client, credentials, onNotice, ...(monitor ? { monitor } : {}) },
      {
        changed: () => {
          for (const watcher of this.#watchers) watcher.changed();
        },
        // Log messages and other notifications belong to no client.
        notification: () => undefined,
        request: async (request): Promise<Result> => {
          if (request.method === "roots/list") return { roots: [] };
          throw new ProxyError("METHOD_NOT_FOUND", `the gateway's catalog session of backend "${backend.name}" cannot answer ${request.method}`);
        },
        restore: async () => undefined,
      },
    );
  }

  get listing(): BackendListing | undefined {
    return this.#link.listing;
  }

  get lastKnown(): BackendListing | undefined {
    return this.#link.lastKnown;
  }

  get info(): InitializeInfo | undefined {
    return this.#link.info;
  }

  /** A client session lists from it; settles once the first connect-and-list attempt has. */
  watch(watcher: CatalogWatcher): Promise<void> {
    this.#watchers.add(watcher);
    return this.#link.start();
  }

  /** A client session stops listing from it (it left, or its own upstream is up); the last one closes it. */
  unwatch(watcher: CatalogWatcher): void {
    if (!this.#watchers.delete(watcher) || this.#watchers.size > 0) return;
    this.onEmpty();
    void this.#link.close();
  }
}

/**
 * Most catalogs one backend runs at once, one per distinct set of client capabilities. A
 * client whose capabilities would need another gets no catalog: its own upstream starts at
 * initialize, as without catalogs.
 */
export const MAX_CATALOGS_PER_BACKEND = 4;

/**
 * The catalogs of every per-client backend, keyed by backend and by what their clients can
 * do as far as servers list by it (`catalogCapabilities`). They are not counted against a backend's `maxSessions` (which caps the
 * clients' own upstream sessions): at most `MAX_CATALOGS_PER_BACKEND` per backend.
 */
export class BackendCatalogs {
  readonly #catalogs = new Map<string, Map<string, BackendCatalog>>();
  /** Catalogs count among themselves only, so a `maxSessions` of 1 still leaves the one slot to a client. */
  readonly #slots = new BackendSlots();

  constructor(
    private readonly logger: Logger,
    private readonly self: { name: string; version: string },
    /** A catalog is the gateway's own session: it uses the backend-wide credential, never a caller's. */
    private readonly credentialsOf: (backend: ResolvedBackend) => CredentialSource | undefined = () => undefined,
    private readonly onNotice?: BackendNotice,
    private readonly monitor?: LinkMonitor,
  ) {}

  /**
   * A reload replaced or removed the backend: new clients get new catalogs; the old ones close
   * when the last session listing from them lets go.
   */
  forget(backend: string): void {
    this.#catalogs.delete(backend);
  }

  /** The catalog for clients with these capabilities, or undefined when the backend already runs its most. */
  for(backend: ResolvedBackend, capabilities: Record<string, unknown>): BackendCatalog | undefined {
    let byKey = this.#catalogs.get(backend.name);
    if (!byKey) this.#catalogs.set(backend.name, (byKey = new Map()));
    const { key, advertised } = catalogCapabilities(capabilities);
    let catalog = byKey.get(key);
    if (catalog) return catalog;
    if (byKey.size >= MAX_CATALOGS_PER_BACKEND) return undefined;
    const limited = { ...backend, maxSessions: MAX_CATALOGS_PER_BACKEND };
    catalog = new BackendCatalog(limited, this.logger, this.#slots, { info: this.self, capabilities: advertised }, this.credentialsOf(backend), () => {
      if (byKey.get(key) === catalog) byKey.delete(key);
    }, this.onNotice, this.monitor);
    byKey.set(key, catalog);
    return catalog;
  }
}

/**
 * What servers list by: whether the client can sample, elicit (by form, by URL) and give
 * roots. Nothing else a client puts in its capabilities (experimental keys, listChanged flags)
 * makes a catalog of its own, so a handful of catalogs serve every real client and no client
 * can use up the per-backend bound with made-up variants. The catalog advertises exactly these.
 */
export function catalogCapabilities(capabilities: Record<string, unknown>): { key: string; advertised: Record<string, unknown> } {
  const elicitation = capabilities.elicitation as Record<string, unknown> | undefined;
  const byUrl = elicitation?.url !== undefined;
  // `elicitation: {}` is form elicitation, as before the form/url split.
  const byForm = elicitation !== undefined && (elicitation.form !== undefined || !byUrl);
  const advertised: Record<string, unknown> = {};
  if (capabilities.sampling !== undefined) advertised.sampling = {};
  if (byForm || byUrl) advertised.elicitation = { ...(byForm ? { form: {} } : {}), ...(byUrl ? { url: {} } : {}) };
  if (capabilities.roots !== undefined) advertised.roots = {};
  return { key: JSON.stringify(advertised), advertised };
}
