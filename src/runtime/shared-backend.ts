import type { JSONRPCRequest, RequestId, Result } from "@modelcontextprotocol/server";
import type { Logger } from "pino";
import { UpstreamSession } from "../backends/upstream-session.js";
import type { ResolvedBackend } from "../config/index.js";
import { ProxyError } from "../core/errors.js";
import { isListChanged, listBackend, restartDelay } from "./backend-listing.js";
import type { BackendListing } from "./surface.js";

/** What a client session hears from a backend it shares with others. */
export interface SharedSubscriber {
  /** The backend came, went, or its lists changed: rebuild the surface. */
  changed(): void;
  notification(backend: string, method: string, params: Record<string, unknown> | undefined, relatedRequestId: RequestId | undefined): void;
  /** A server→client request, for the subscriber whose call is in flight. */
  request(backend: string, request: JSONRPCRequest, signal: AbortSignal, relatedRequestId: RequestId | undefined): Promise<Result>;
  readonly clientInfo: { name: string; version: string };
  readonly clientCapabilities: Record<string, unknown>;
}

/**
 * One upstream connection multiplexed for every client (`session: "shared"`), for stateless
 * servers. Request ids and progress tokens are minted per request, so clients never see each
 * other's answers. The connection advertises no client capabilities (no sampling, elicitation
 * or roots), since no one client stands behind it; a server→client request or a log message is
 * delivered only when exactly one client's call is in flight, the only case where whose it is
 * cannot be mistaken, and is otherwise refused or dropped.
 */
export class SharedBackend {
  readonly #subscribers = new Set<SharedSubscriber>();
  readonly #inflight: Array<{ subscriber: SharedSubscriber; id: RequestId }> = [];
  #upstream: UpstreamSession | undefined;
  #listing: BackendListing | undefined;
  #lastKnown: BackendListing | undefined;
  #starting: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #failures = 0;

  constructor(
    readonly backend: ResolvedBackend,
    private readonly logger: Logger,
  ) {}

  get listing(): BackendListing | undefined {
    return this.#listing;
  }

  get lastKnown(): BackendListing | undefined {
    return this.#listing ?? this.#lastKnown;
  }

  get upstream(): UpstreamSession | undefined {
    return this.#listing ? this.#upstream : undefined;
  }

  /** Joins a client session; the first one starts the connection. Settles once the first attempt did. */
  async attach(subscriber: SharedSubscriber): Promise<void> {
    this.#subscribers.add(subscriber);
    if (!this.#upstream && !this.#timer) this.#starting ??= this.#start(subscriber).finally(() => (this.#starting = undefined));
    await this.#starting;
  }

  /** Leaves; the last one out closes the connection. */
  async detach(subscriber: SharedSubscriber): Promise<void> {
    this.#subscribers.delete(subscriber);
    if (this.#subscribers.size > 0) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const upstream = this.#upstream;
    this.#upstream = undefined;
    this.#listing = undefined;
    await upstream?.close();
  }

  requireUpstream(): UpstreamSession {
    const upstream = this.upstream;
    if (upstream) return upstream;
    throw new ProxyError("BACKEND_UNAVAILABLE", `backend "${this.backend.name}" is unavailable; it is being restarted`, { backend: this.backend.name });
  }

  track<T>(subscriber: SharedSubscriber, id: RequestId, work: Promise<T>): Promise<T> {
    const entry = { subscriber, id };
    this.#inflight.push(entry);
    return work.then((r) => ((this.#failures = 0), r)).finally(() => this.#inflight.splice(this.#inflight.indexOf(entry), 1));
  }

  async #start(first: SharedSubscriber): Promise<void> {
    const upstream = new UpstreamSession(this.backend, first.clientInfo, {}, {
      notification: (method, params) => this.#onNotification(method, params),
      request: (req, signal) => this.#onRequest(req, signal),
      closed: (reason) => this.#down(upstream, reason),
      stderr: (line) => this.logger.info({ backend: this.backend.name, stderr: line }, "backend stderr"),
    });
    this.#upstream = upstream;
    try {
      const info = await upstream.connect();
      const listing = await listBackend(upstream, info);
      if (this.#upstream !== upstream) return void upstream.close();
      this.#listing = listing;
      this.logger.info({ backend: this.backend.name, shared: true, tools: listing.tools.length }, "backend connected");
      this.#notifyChanged();
    } catch (error) {
      await upstream.close();
      this.#down(upstream, (error as Error).message);
    }
  }

  #down(upstream: UpstreamSession, reason: string): void {
    if (this.#upstream !== upstream) return;
    this.#lastKnown = this.#listing ?? this.#lastKnown;
    this.#listing = undefined;
    this.#upstream = undefined;
    this.#notifyChanged();
    if (this.#subscribers.size === 0) return;
    const delay = restartDelay(this.#failures++);
    this.logger.warn({ backend: this.backend.name, reason, retryInMs: Math.round(delay) }, "backend down");
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      const next = this.#subscribers.values().next().value;
      if (next) void this.#start(next);
    }, delay).unref();
  }

  #notifyChanged(): void {
    for (const subscriber of this.#subscribers) subscriber.changed();
  }

  /** The one call in flight, if there is exactly one. */
  #onlyCall(): { subscriber: SharedSubscriber; id: RequestId } | undefined {
    return this.#inflight.length === 1 ? this.#inflight[0] : undefined;
  }

  #onNotification(method: string, params: Record<string, unknown> | undefined): void {
    if (isListChanged(method)) {
      const upstream = this.#upstream;
      if (!upstream || !this.#listing) return;
      void listBackend(upstream, upstream.info).then(
        (listing) => {
          this.#listing = listing;
          this.#notifyChanged();
        },
        (error: Error) => this.logger.warn({ backend: this.backend.name, err: error.message }, "relisting failed"),
      );
      return;
    }
    // resources/updated carries only a URI and concerns every subscriber; other notifications
    // may carry one client's data, so they go to the one caller or, with no call, to no one's
    // stream in particular (the backend speaking for itself), and are dropped when ambiguous.
    const only = this.#onlyCall();
    if (method === "notifications/resources/updated" || this.#inflight.length === 0) {
      for (const subscriber of this.#subscribers) subscriber.notification(this.backend.name, method, params, undefined);
    } else if (only) only.subscriber.notification(this.backend.name, method, params, only.id);
    else this.logger.debug({ backend: this.backend.name, method }, "dropped a notification of a shared backend: several calls in flight");
  }

  async #onRequest(request: JSONRPCRequest, signal: AbortSignal): Promise<Result> {
    const only = this.#onlyCall();
    if (!only) {
      throw new ProxyError("METHOD_NOT_FOUND", `shared backend "${this.backend.name}" cannot tell which client should answer ${request.method}`);
    }
    return only.subscriber.request(this.backend.name, request, signal, only.id);
  }
}

/** The shared backends of one running gateway, by name, created on first use. */
export class SharedBackends {
  readonly #byName = new Map<string, SharedBackend>();

  constructor(private readonly logger: Logger) {}

  get(backend: ResolvedBackend): SharedBackend {
    let shared = this.#byName.get(backend.name);
    if (!shared) {
      shared = new SharedBackend(backend, this.logger);
      this.#byName.set(backend.name, shared);
    }
    return shared;
  }
}
