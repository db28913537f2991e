import type { JSONRPCRequest } from "@modelcontextprotocol/server";
import type { CallOptions, InitializeInfo, UpstreamSession } from "../backends/upstream-session.js";
import type { Cancellation } from "../core/cancellation.js";
import type { Params, RequestId, Result } from "../core/context.js";
import { ProxyError } from "../core/errors.js";
import type { BackendListing } from "../core/surface.js";
import type { BackendCatalog, CatalogWatcher } from "./backend-catalog.js";
import type { BackendReach } from "./backend-reach.js";
import { BackendLink, type LinkOptions } from "./backend-link.js";

/** What a client session hears from its own upstream session with one backend. */
export interface OwnBackendEvents {
  changed(): void;
  notification(method: string, params: Record<string, unknown> | undefined, relatedRequestId: RequestId | undefined): void;
  request(request: JSONRPCRequest, signal: AbortSignal, relatedRequestId: RequestId | undefined): Promise<Result>;
  /**
   * True when the client is answered by input_required rounds (a 2026-07-28 client): a backend's
   * question must then reach the one call it belongs to, or the client answers the wrong round.
   */
  asksByRounds?(): boolean;
}

/** The calls during which a legacy backend may ask its client (the spec's input_required methods). */
const ASKING_METHODS: ReadonlySet<string> = new Set(["tools/call", "prompts/get", "resources/read"]);

/**
 * A client's own upstream session with one backend (`session: "per-client"`): nothing in it
 * is anyone else's. With a catalog it starts on the client's first use of the backend (a
 * call, read, subscribe, completion…) and lists from the catalog until then, so a client that
 * only lists costs no process; once its own session is up and listed, its own listing replaces
 * the catalog's. It remembers what the client asked of the backend (subscriptions, log level)
 * so its upstream session, when it starts or is restarted or reconnected, is told again.
 */
export class OwnBackend implements BackendReach, CatalogWatcher {
  readonly #link: BackendLink<RequestId>;
  readonly #events: OwnBackendEvents;
  readonly #subscriptions = new Set<string>();
  #catalog: BackendCatalog | undefined;
  #logLevel: Params | undefined;
  #ownStart: Promise<void> | undefined;
  /** The asking call in flight while calls are taken one at a time (see #oneAsker), and the end of the queue of those waiting. */
  #asker: RequestId | undefined;
  #askers: Promise<void> = Promise.resolve();

  constructor(options: LinkOptions, events: OwnBackendEvents, catalog: BackendCatalog | undefined) {
    this.#events = events;
    this.#catalog = catalog;
    this.#link = new BackendLink<RequestId>(options, {
      changed: () => {
        // The own session came up (perhaps on a later attempt): its listing replaces the catalog's.
        if (this.#catalog && this.#link.listing) this.#leaveCatalog();
        events.changed();
      },
      notification: (method, params) => events.notification(method, params, this.relatedRequest()),
      request: (request, signal) => events.request(request, signal, this.relatedRequest()),
      restore: (upstream) => this.#restore(upstream),
    });
  }

  get name(): string {
    return this.#link.backend.name;
  }

  get listing(): BackendListing | undefined {
    return this.#catalog ? this.#catalog.listing : this.#link.listing;
  }

  get lastKnown(): BackendListing | undefined {
    return this.#catalog ? this.#catalog.lastKnown : this.#link.lastKnown;
  }

  get info(): InitializeInfo | undefined {
    return this.#catalog ? this.#catalog.info : this.#link.info;
  }

  get upstream(): UpstreamSession | undefined {
    return this.#link.upstream;
  }

  get inflight(): number {
    return this.#link.inflight.length;
  }

  /** At initialize: the catalog when there is one (no process of the client's own yet), else the own session. */
  open(): Promise<void> {
    return this.#catalog ? this.#catalog.watch(this) : this.#startOwn();
  }

  /** True once the client's own session lists (so a name may now resolve); false if there was nothing to start or it did not come up. */
  async startOwn(): Promise<boolean> {
    if (!this.#catalog) return false;
    await this.#startOwn();
    return this.#link.listing !== undefined;
  }

  /** The catalog's lists changed (or it came or went). */
  changed(): void {
    this.#events.changed();
  }

  async call(id: RequestId, method: string, params: Params, options: CallOptions): Promise<Result> {
    await this.#startOwn();
    const upstream = await this.#link.require();
    if (ASKING_METHODS.has(method) && !upstream.modern && this.#events.asksByRounds?.()) return this.#oneAsker(id, options.cancellation, () => upstream.request(method, params, options));
    return this.#link.track(id, upstream.request(method, params, options));
  }

  /**
   * A legacy backend's question names no call (over stdio nothing relates it to one), so for a
   * client answered by rounds its asking calls run one at a time: the question then surely
   * belongs to the one in flight. A call waiting its turn can be cancelled.
   */
  async #oneAsker(id: RequestId, cancellation: Cancellation | undefined, run: () => Promise<Result>): Promise<Result> {
    const before = this.#askers;
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    this.#askers = before.then(() => mine);
    try {
      await waitOrCancel(before, cancellation);
      this.#asker = id;
      return await this.#link.track(id, run());
    } finally {
      if (this.#asker === id) this.#asker = undefined;
      release();
    }
  }

  async subscribe(id: RequestId, params: Params, options: CallOptions): Promise<Result> {
    const result = await this.call(id, "resources/subscribe", params, options);
    this.#subscriptions.add(String(params.uri));
    return result;
  }

  async unsubscribe(id: RequestId, params: Params, options: CallOptions): Promise<Result> {
    const result = await this.call(id, "resources/unsubscribe", params, options);
    this.#subscriptions.delete(String(params.uri));
    return result;
  }

  /** Kept for the own session (applied when it starts); sent now only if it is up. */
  async setLogLevel(params: Params): Promise<void> {
    this.#logLevel = params;
    const upstream = this.#link.upstream;
    if (upstream?.info.capabilities.logging) await upstream.request("logging/setLevel", params);
  }

  async listTasks(): Promise<Params[]> {
    const upstream = this.#link.upstream;
    if (!upstream || (upstream.info.capabilities.tasks as Params | undefined)?.list === undefined) return [];
    return upstream.listAll("tasks/list", "tasks");
  }

  /** Its latest call in flight: a backend's request or notification most likely belongs to that one. */
  private relatedRequest(): RequestId | undefined {
    if (this.#asker !== undefined) return this.#asker;
    const inflight = this.#link.inflight;
    return inflight.length ? inflight[inflight.length - 1] : undefined;
  }

  async close(): Promise<void> {
    this.#leaveCatalog();
    await this.#link.close();
  }

  /**
   * Starts the client's own session once; the first attempt settles the promise (a failure
   * restarts in the background, like any link). From then on the own listing is the one
   * shown, even while the session is down, so the client sees what its own backend offers.
   */
  #startOwn(): Promise<void> {
    // The catalog is left only once the own session lists: one that could not start (the
    // backend's maxSessions reached, a crash) leaves the client its catalog listing meanwhile.
    this.#ownStart ??= this.#link.start();
    return this.#ownStart;
  }

  #leaveCatalog(): void {
    const catalog = this.#catalog;
    this.#catalog = undefined;
    catalog?.unwatch(this);
  }

  async #restore(upstream: UpstreamSession): Promise<void> {
    const calls: Promise<unknown>[] = [];
    if (this.#logLevel && upstream.info.capabilities.logging) calls.push(upstream.request("logging/setLevel", this.#logLevel));
    for (const uri of this.#subscriptions) calls.push(upstream.request("resources/subscribe", { uri }));
    await Promise.allSettled(calls);
  }
}

/** Resolves when `turn` does; rejects as cancelled if the request is cancelled first. */
function waitOrCancel(turn: Promise<void>, cancellation: Cancellation | undefined): Promise<void> {
  if (!cancellation) return turn;
  return new Promise<void>((resolve, reject) => {
    const stop = cancellation.onCancel(() => reject(new ProxyError("REQUEST_CANCELLED", "cancelled while waiting for the backend's previous asking call")));
    void turn.then(() => {
      stop();
      resolve();
    });
  });
}
