import type { JSONRPCRequest, RequestId, Result } from "@modelcontextprotocol/server";
import type { Logger } from "pino";
import { UpstreamSession } from "../backends/upstream-session.js";
import type { ResolvedBackend } from "../config/index.js";
import { ProxyError } from "../core/errors.js";
import { isListChanged, listBackend, restartDelay } from "./backend-listing.js";
import type { BackendSlots } from "./backend-slots.js";
import type { BackendListing } from "./surface.js";

/** What the owning client session hears from its private upstream sessions. */
export interface PrivateBackendEvents {
  /** A backend came, went, or its lists changed: rebuild the surface. */
  changed(): void;
  /** A backend's upstream session was replaced after a restart or an idle close. */
  restored(upstream: UpstreamSession): Promise<void>;
  notification(backend: string, method: string, params: Record<string, unknown> | undefined, relatedRequestId: RequestId | undefined): void;
  request(backend: string, request: JSONRPCRequest, signal: AbortSignal, relatedRequestId: RequestId | undefined): Promise<Result>;
}

export interface PrivateBackendsOptions {
  readonly logger: Logger;
  readonly slots: BackendSlots;
  /** The client's identity and capabilities, advertised upstream (known once it initialized). */
  readonly client: () => { info: { name: string; version: string }; capabilities: Record<string, unknown> };
}

/**
 * One client session's own upstream sessions (`session: "per-client"`): started at the
 * client's initialize, restarted with backoff when they die, held within each backend's
 * `maxSessions`, closed when idle if the backend asks for it, all closed with the session.
 */
export class PrivateBackends {
  readonly #upstreams = new Map<string, UpstreamSession>();
  readonly #listings = new Map<string, BackendListing>();
  /** Last listing of each backend that is down, so calls to its items name it. */
  readonly #lastKnown = new Map<string, BackendListing>();
  readonly #inflight = new Map<string, RequestId[]>();
  readonly #restartTimers = new Map<string, NodeJS.Timeout>();
  /** Backends whose upstream this session holds a slot for. */
  readonly #holding = new Set<string>();
  /** Consecutive failures per backend, for the restart backoff; a successful call resets it. */
  readonly #failures = new Map<string, number>();
  readonly #lastUsed = new Map<string, number>();
  /** Backends closed for idleness: listed as before, reconnected on their next call. */
  readonly #dormant = new Set<string>();
  readonly #waking = new Map<string, Promise<void>>();
  readonly #configs = new Map<string, ResolvedBackend>();
  #idleSweep: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(
    private readonly options: PrivateBackendsOptions,
    private readonly events: PrivateBackendEvents,
  ) {}

  /** Connects and lists every backend, each within its start-up timeout; failures restart in the background. */
  async start(backends: readonly ResolvedBackend[]): Promise<void> {
    for (const backend of backends) this.#configs.set(backend.name, backend);
    await Promise.all(backends.map((b) => this.#start(b)));
    this.#startIdleSweep(backends);
  }

  listing(backend: string): BackendListing | undefined {
    return this.#listings.get(backend);
  }

  lastKnown(backend: string): BackendListing | undefined {
    return this.#listings.get(backend) ?? this.#lastKnown.get(backend);
  }

  /** The upstream for a backend (reconnecting it if it was closed for idleness), or a precise error when it is down. */
  async upstreamFor(backend: string): Promise<UpstreamSession> {
    if (this.#dormant.has(backend)) await this.#wake(backend);
    const upstream = this.#upstreams.get(backend);
    if (upstream && this.#listings.has(backend) && !this.#dormant.has(backend)) return upstream;
    throw new ProxyError("BACKEND_UNAVAILABLE", `backend "${backend}" is unavailable; it is being restarted`, { backend });
  }

  /** A backend's upstream session when it is up. */
  upstream(backend: string): UpstreamSession | undefined {
    return this.#listings.has(backend) ? this.#upstreams.get(backend) : undefined;
  }

  /** Every upstream that is up. */
  upstreams(): UpstreamSession[] {
    return [...this.#upstreams.values()].filter((u) => this.#listings.has(u.backend.name));
  }

  /** Marks a client request as waiting on a backend, so that backend's requests to the client ride its stream. */
  track<T>(backend: string, id: RequestId, work: Promise<T>): Promise<T> {
    const list = this.#inflight.get(backend) ?? [];
    list.push(id);
    this.#inflight.set(backend, list);
    this.#lastUsed.set(backend, Date.now());
    return work
      .then((result) => {
        this.#failures.delete(backend);
        return result;
      })
      .finally(() => {
        list.splice(list.indexOf(id), 1);
        this.#lastUsed.set(backend, Date.now());
      });
  }

  /** The client request a backend's message most likely belongs to: its latest call in flight. */
  relatedRequest(backend: string): RequestId | undefined {
    const list = this.#inflight.get(backend);
    return list && list.length ? list[list.length - 1] : undefined;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#idleSweep);
    for (const timer of this.#restartTimers.values()) clearTimeout(timer);
    await Promise.all([...this.#upstreams.values()].map((u) => u.close()));
    for (const backend of [...this.#holding]) this.#release(backend);
  }

  #wake(backend: string): Promise<void> {
    let waking = this.#waking.get(backend);
    if (!waking) {
      waking = this.#start(this.#configs.get(backend)!, 0, true).finally(() => this.#waking.delete(backend));
      this.#waking.set(backend, waking);
    }
    return waking;
  }

  async #start(backend: ResolvedBackend, attempt = 0, waking = false): Promise<void> {
    if (this.#closed) return;
    const log = this.options.logger.child({ backend: backend.name });
    if (!this.options.slots.tryAcquire(backend.name, backend.maxSessions)) {
      const reason = `backend "${backend.name}" has reached its limit of ${backend.maxSessions} sessions`;
      log.warn(reason);
      this.#dormant.delete(backend.name);
      this.#down(backend, reason);
      return;
    }
    this.#holding.add(backend.name);
    const client = this.options.client();
    const upstream = new UpstreamSession(backend, client.info, client.capabilities, {
      notification: (method, params) => this.#onNotification(backend.name, method, params),
      request: (req, signal) => this.events.request(backend.name, req, signal, this.relatedRequest(backend.name)),
      closed: (reason) => {
        this.#release(backend.name);
        this.#down(backend, reason);
      },
      stderr: (line) => log.info({ stderr: line }, "backend stderr"),
    });
    this.#upstreams.set(backend.name, upstream);
    try {
      const info = await upstream.connect();
      const listing = await listBackend(upstream, info);
      if (this.#closed) return void upstream.close();
      this.#listings.set(backend.name, listing);
      this.#lastKnown.delete(backend.name);
      this.#dormant.delete(backend.name);
      this.#lastUsed.set(backend.name, Date.now());
      log.info({ protocolVersion: info.protocolVersion, tools: listing.tools.length }, "backend connected");
      if (attempt > 0 || waking) {
        await this.events.restored(upstream);
        this.events.changed();
      }
    } catch (error) {
      log.warn({ err: (error as Error).message }, "backend failed to start");
      await upstream.close();
      this.#release(backend.name);
      this.#dormant.delete(backend.name);
      this.#down(backend, (error as Error).message);
    }
  }

  #release(backend: string): void {
    if (this.#holding.delete(backend)) this.options.slots.release(backend);
  }

  /** Closes upstream sessions nobody used for the backend's idleMs; their items stay listed. */
  #startIdleSweep(backends: readonly ResolvedBackend[]): void {
    const expiring = backends.filter((b) => b.timeouts.idleMs > 0);
    if (expiring.length === 0) return;
    const shortest = Math.min(...expiring.map((b) => b.timeouts.idleMs));
    this.#idleSweep = setInterval(() => {
      const now = Date.now();
      for (const backend of expiring) {
        const name = backend.name;
        if (this.#dormant.has(name) || !this.#listings.has(name) || this.#inflight.get(name)?.length) continue;
        if (now - (this.#lastUsed.get(name) ?? now) < backend.timeouts.idleMs) continue;
        this.#dormant.add(name);
        const upstream = this.#upstreams.get(name);
        this.#upstreams.delete(name);
        this.#release(name);
        void upstream?.close();
        this.options.logger.debug({ backend: name }, "closed idle upstream session");
      }
    }, Math.max(250, Math.min(60_000, shortest / 4))).unref();
  }

  #down(backend: ResolvedBackend, reason: string): void {
    if (this.#closed) return;
    const attempt = this.#failures.get(backend.name) ?? 0;
    this.#failures.set(backend.name, attempt + 1);
    const listing = this.#listings.get(backend.name);
    if (listing) this.#lastKnown.set(backend.name, listing);
    this.#listings.delete(backend.name);
    this.events.changed();
    const delay = restartDelay(attempt);
    this.options.logger.warn({ backend: backend.name, reason, retryInMs: Math.round(delay) }, "backend down");
    clearTimeout(this.#restartTimers.get(backend.name));
    this.#restartTimers.set(backend.name, setTimeout(() => void this.#start(backend, attempt + 1), delay).unref());
  }

  #onNotification(backend: string, method: string, params: Record<string, unknown> | undefined): void {
    if (isListChanged(method)) return void this.#relist(backend);
    this.events.notification(backend, method, params, this.relatedRequest(backend));
  }

  async #relist(backend: string): Promise<void> {
    const upstream = this.#upstreams.get(backend);
    if (!upstream || !this.#listings.has(backend)) return;
    try {
      this.#listings.set(backend, await listBackend(upstream, upstream.info));
      this.events.changed();
    } catch (error) {
      this.options.logger.warn({ backend, err: (error as Error).message }, "relisting failed");
    }
  }
}
