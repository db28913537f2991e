import type { JSONRPCRequest } from "@modelcontextprotocol/server";
import type { Logger } from "pino";
import type { CredentialSource } from "../backends/credentials/index.js";
import { type InitializeInfo, UpstreamSession } from "../backends/upstream-session.js";
import type { ResolvedBackend } from "../config/index.js";
import type { Result } from "../core/context.js";
import { ProxyError } from "../core/errors.js";
import type { BackendListing } from "../core/surface.js";
import { isListChanged, listBackend, restartDelay } from "./backend-listing.js";
import type { BackendSlots } from "./backend-slots.js";

/** What the owner of a link (one client session, or a shared backend's subscribers) hears from it. */
export interface LinkEvents {
  /** The backend came, went, or one of its lists changed. */
  changed(): void;
  /** A notification other than list_changed (which the link handles) and progress (which goes to its call). */
  notification(method: string, params: Record<string, unknown> | undefined): void;
  /** A server→client request (sampling, elicitation, roots). */
  request(request: JSONRPCRequest, signal: AbortSignal): Promise<Result>;
  /**
   * A new upstream session replaced one that was lost (restart, idle reconnect): it knows
   * nothing of the client, so the owner gives it again what it had asked (subscriptions, level).
   */
  restore(upstream: UpstreamSession): Promise<void>;
}

/**
 * Where a link stands, as its monitor sees it: new (not started yet), up (connected and
 * listed), down (failed to start or lost its session; restarting after a backoff), closed.
 */
export type LinkState = "new" | "up" | "down" | "closed";

/** Hears every link's comings and goings, for /status, /readyz and /metrics; no say in them. */
export interface LinkMonitor {
  /** `reason`: why a link went down (already scrubbed of the backend's credentials). */
  moved(backend: string, from: LinkState, to: LinkState, reason?: string): void;
}

export interface LinkOptions {
  readonly backend: ResolvedBackend;
  readonly monitor?: LinkMonitor;
  readonly logger: Logger;
  readonly slots: BackendSlots;
  /** The caller (callerKey) a client's own session is for: counted against the backend's maxSessionsPerIdentity. Shared links and catalogs have none. */
  readonly caller?: string;
  /** What the upstream session advertises as its client. */
  readonly client: () => { info: { name: string; version: string }; capabilities: Record<string, unknown> };
  /** Hears every notification of the backend first, whoever the link belongs to (the result cache's invalidation). */
  readonly onNotice?: BackendNotice;
  /** The backend's bearer token source (a backend with `auth`), from the pool's credential broker. */
  readonly credentials?: CredentialSource | undefined;
}

/** A backend's notification, as the gateway-wide listeners (the result cache) hear it. */
export type BackendNotice = (backend: string, method: string, params: Record<string, unknown> | undefined) => void;

/**
 * The one lifecycle of a link to a backend, used for a client's own upstream session and for
 * a shared one alike: start (connect and list, within the start-up timeout, holding one of
 * the backend's `maxSessions` slots), relist on list_changed, restart with jittered backoff
 * when the session is lost, restore the owner's state on the new session, close when idle
 * and reconnect on the next call, drain, close.
 */
export class BackendLink<Tag = unknown> {
  readonly backend: ResolvedBackend;
  #upstream: UpstreamSession | undefined;
  #listing: BackendListing | undefined;
  #info: InitializeInfo | undefined;
  #lastKnown: BackendListing | undefined;
  #holdingSlot = false;
  /** The last start was refused because the backend's maxSessions, or the caller's share of them, were all taken. */
  #atLimit: "backend" | "identity" | undefined;
  #failures = 0;
  #restartTimer: NodeJS.Timeout | undefined;
  #idleTimer: NodeJS.Timeout | undefined;
  /** Closed for idleness: still listed as it was, reconnected on its next use. */
  #dormant = false;
  #firstStart: Promise<void> | undefined;
  #starting: Promise<void> | undefined;
  #closed = false;
  #lastUsed = Date.now();
  /** What the monitor was last told. */
  #reported: LinkState = "new";
  /** Calls in flight, oldest first, each with the owner's tag (whose call it is). */
  readonly inflight: Tag[] = [];
  readonly #log: Logger;

  constructor(
    private readonly options: LinkOptions,
    private readonly events: LinkEvents,
  ) {
    this.backend = options.backend;
    this.#log = options.logger.child({ backend: options.backend.name });
  }

  /**
   * Connects and lists; settles once this first attempt has (a failure restarts in the
   * background). Later callers (another client joining a shared link) get the same promise.
   */
  start(): Promise<void> {
    this.#firstStart ??= this.#start();
    return this.#firstStart;
  }

  /** The backend's lists while it is up (a dormant link keeps its listing: its items stay callable). */
  get listing(): BackendListing | undefined {
    return this.#listing;
  }

  /** The listing while up, else the last one seen, so calls to a down backend's items name it. */
  get lastKnown(): BackendListing | undefined {
    return this.#listing ?? this.#lastKnown;
  }

  /** What the backend answered to initialize, while it is listed (a dormant link's too). */
  get info(): InitializeInfo | undefined {
    return this.#listing ? this.#info : undefined;
  }

  /** The upstream session while it is up and connected. */
  get upstream(): UpstreamSession | undefined {
    return this.#listing && !this.#dormant ? this.#upstream : undefined;
  }

  /** The upstream session, reconnecting a dormant one; a precise error when the backend is down. */
  async require(): Promise<UpstreamSession> {
    if (this.#dormant && this.#listing) await this.#wake();
    const upstream = this.upstream;
    if (upstream) return upstream;
    if (this.#atLimit === "identity") {
      const max = this.backend.maxSessionsPerIdentity;
      throw new ProxyError("IDENTITY_SESSION_LIMIT", `Too many sessions: this caller already holds ${max} ${max === 1 ? "session" : "sessions"} of backend "${this.backend.name}" (maxSessionsPerIdentity); close one and try again`, {
        backend: this.backend.name,
        limit: "maxSessionsPerIdentity",
        max,
      });
    }
    if (this.#atLimit === "backend") {
      // data.limit tells this refusal (the gateway's own cap, the backend was never asked) from a backend that is down.
      throw new ProxyError("BACKEND_UNAVAILABLE", `backend "${this.backend.name}" is unavailable; it has reached its limit of ${this.backend.maxSessions} sessions (maxSessions); retrying`, {
        backend: this.backend.name,
        limit: "maxSessions",
      });
    }
    throw new ProxyError("BACKEND_UNAVAILABLE", `backend "${this.backend.name}" is unavailable; it is being restarted`, { backend: this.backend.name });
  }

  /** Counts a call as in flight under `tag` until it settles; a success resets the restart backoff. */
  track<T>(tag: Tag, work: Promise<T>): Promise<T> {
    this.inflight.push(tag);
    this.#lastUsed = Date.now();
    return work
      .then((result) => {
        this.#failures = 0;
        return result;
      })
      .finally(() => {
        const at = this.inflight.indexOf(tag);
        if (at !== -1) this.inflight.splice(at, 1);
        this.#lastUsed = Date.now();
      });
  }

  /** Lets calls in flight finish (at most `graceMs`), then closes: for a link being replaced. */
  async drain(graceMs: number): Promise<void> {
    const deadline = Date.now() + graceMs;
    while (this.inflight.length > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
    await this.close();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#restartTimer);
    clearInterval(this.#idleTimer);
    const upstream = this.#upstream;
    this.#upstream = undefined;
    this.#listing = undefined;
    // The slot is free as soon as the link is: a client joining right after the last one left
    // (a new shared link) must not be refused while the old process is still exiting.
    this.#releaseSlot();
    this.#report("closed");
    await upstream?.close();
  }

  #wake(): Promise<void> {
    this.#starting ??= this.#start().finally(() => (this.#starting = undefined));
    return this.#starting;
  }

  async #start(): Promise<void> {
    if (this.#closed) return;
    const { backend } = this;
    if (!this.#holdingSlot) {
      const refused = this.#acquireSlots();
      if (refused) {
        this.#atLimit = refused;
        const reason =
          refused === "identity"
            ? `a caller has reached its limit of ${backend.maxSessionsPerIdentity} sessions of backend "${backend.name}" (maxSessionsPerIdentity)`
            : `backend "${backend.name}" has reached its limit of ${backend.maxSessions} sessions`;
        this.#log.warn(reason);
        this.#dormant = false;
        return this.#down(reason);
      }
    }
    this.#holdingSlot = true;
    this.#atLimit = undefined;
    const client = this.options.client();
    const upstream: UpstreamSession = new UpstreamSession(backend, client.info, client.capabilities, {
      notification: (method, params) => this.#onNotification(upstream, method, params),
      request: (request, signal) => this.events.request(request, signal),
      closed: (reason) => {
        if (this.#upstream !== upstream) return;
        this.#releaseSlot();
        this.#down(reason);
      },
      stderr: (line) => this.#log.info({ stderr: line }, "backend stderr"),
      problem: (line) => this.#log.warn({ problem: line }, "backend protocol problem"),
    }, this.options.credentials);
    this.#upstream = upstream;
    try {
      const info = await upstream.connect();
      const listing = await listBackend(upstream, info);
      if (this.#closed || this.#upstream !== upstream) return void upstream.close();
      this.#listing = listing;
      this.#info = info;
      this.#lastKnown = undefined;
      this.#dormant = false;
      this.#lastUsed = Date.now();
      this.#log.info({ protocolVersion: info.protocolVersion, tools: listing.tools.length, shared: backend.session === "shared" }, "backend connected");
      this.#armIdleClose();
      this.#report("up");
      // Always, not only on a restart: a client's own session started on first use is told
      // what the client asked before it existed (a log level set while it listed from a catalog).
      await this.events.restore(upstream);
      this.events.changed();
    } catch (error) {
      if (this.#upstream !== upstream) return;
      this.#log.warn({ err: (error as Error).message }, "backend failed to start");
      this.#upstream = undefined;
      await upstream.close();
      this.#releaseSlot();
      this.#dormant = false;
      this.#down((error as Error).message);
    }
  }

  #down(reason: string): void {
    if (this.#closed) return;
    this.#upstream = undefined;
    if (this.#listing) this.#lastKnown = this.#listing;
    this.#listing = undefined;
    this.#report("down", reason);
    this.events.changed();
    const delay = restartDelay(this.#failures++);
    this.#log.warn({ reason, retryInMs: Math.round(delay) }, "backend down");
    clearTimeout(this.#restartTimer);
    this.#restartTimer = setTimeout(() => void this.#start(), delay).unref();
  }

  /** The caller's share first: one caller at its cap must not hold a backend slot while refused. */
  #acquireSlots(): "backend" | "identity" | undefined {
    const { backend } = this;
    const share = this.#identitySlot();
    if (share && !this.options.slots.tryAcquire(share, backend.maxSessionsPerIdentity!)) return "identity";
    if (this.options.slots.tryAcquire(backend.name, backend.maxSessions)) return undefined;
    if (share) this.options.slots.release(share);
    return "backend";
  }

  /** The slot key of this link's caller with this backend, when the backend caps callers (a key no backend name can be). */
  #identitySlot(): string | undefined {
    const { caller } = this.options;
    return caller !== undefined && this.backend.maxSessionsPerIdentity !== undefined ? `${this.backend.name}\u0000${caller}` : undefined;
  }

  #report(to: LinkState, reason?: string): void {
    const from = this.#reported;
    if (from === to && to !== "down") return;
    this.#reported = to;
    this.options.monitor?.moved(this.backend.name, from, to, reason);
  }

  #releaseSlot(): void {
    if (!this.#holdingSlot) return;
    this.#holdingSlot = false;
    this.options.slots.release(this.backend.name);
    const share = this.#identitySlot();
    if (share) this.options.slots.release(share);
  }

  /** `timeouts.idleMs` (off by default): an unused session is closed; its items stay listed. */
  #armIdleClose(): void {
    const idleMs = this.backend.timeouts.idleMs;
    if (idleMs <= 0 || this.#idleTimer) return;
    this.#idleTimer = setInterval(() => {
      if (this.#dormant || !this.#listing || this.inflight.length > 0 || Date.now() - this.#lastUsed < idleMs) return;
      this.#dormant = true;
      const upstream = this.#upstream;
      this.#upstream = undefined;
      this.#releaseSlot();
      void upstream?.close();
      this.#log.debug("closed idle upstream session");
    }, Math.max(250, Math.min(60_000, idleMs / 4))).unref();
  }

  #onNotification(upstream: UpstreamSession, method: string, params: Record<string, unknown> | undefined): void {
    this.options.onNotice?.(this.backend.name, method, params);
    if (!isListChanged(method)) return this.events.notification(method, params);
    if (this.#upstream !== upstream || !this.#listing) return;
    listBackend(upstream, upstream.info).then(
      (listing) => {
        if (this.#upstream !== upstream || !this.#listing) return;
        this.#listing = listing;
        this.events.changed();
      },
      (error: Error) => this.#log.warn({ err: error.message }, "relisting failed"),
    );
  }
}
