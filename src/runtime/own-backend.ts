import type { JSONRPCRequest } from "@modelcontextprotocol/server";
import type { CallOptions, UpstreamSession } from "../backends/upstream-session.js";
import type { Params, RequestId, Result } from "../core/context.js";
import type { BackendListing } from "../core/surface.js";
import type { BackendReach } from "./backend-reach.js";
import { BackendLink, type LinkOptions } from "./backend-link.js";

/** What a client session hears from its own upstream session with one backend. */
export interface OwnBackendEvents {
  changed(): void;
  notification(method: string, params: Params | undefined, relatedRequestId: RequestId | undefined): void;
  request(request: JSONRPCRequest, signal: AbortSignal, relatedRequestId: RequestId | undefined): Promise<Result>;
}

/**
 * A client's own upstream session with one backend (`session: "per-client"`): nothing in it
 * is anyone else's. It remembers what the client asked of the backend (subscriptions, log
 * level) so a restarted or reconnected upstream session is told again.
 */
export class OwnBackend implements BackendReach {
  readonly #link: BackendLink<RequestId>;
  readonly #subscriptions = new Set<string>();
  #logLevel: Params | undefined;

  constructor(options: LinkOptions, events: OwnBackendEvents) {
    this.#link = new BackendLink<RequestId>(options, {
      changed: () => events.changed(),
      notification: (method, params) => events.notification(method, params, this.relatedRequest()),
      request: (request, signal) => events.request(request, signal, this.relatedRequest()),
      restore: (upstream) => this.#restore(upstream),
    });
  }

  get name(): string {
    return this.#link.backend.name;
  }

  get listing(): BackendListing | undefined {
    return this.#link.listing;
  }

  get lastKnown(): BackendListing | undefined {
    return this.#link.lastKnown;
  }

  get upstream(): UpstreamSession | undefined {
    return this.#link.upstream;
  }

  open(): Promise<void> {
    return this.#link.start();
  }

  async call(id: RequestId, method: string, params: Params, options: CallOptions): Promise<Result> {
    const upstream = await this.#link.require();
    return this.#link.track(id, upstream.request(method, params, options));
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
    const inflight = this.#link.inflight;
    return inflight.length ? inflight[inflight.length - 1] : undefined;
  }

  close(): Promise<void> {
    return this.#link.close();
  }

  async #restore(upstream: UpstreamSession): Promise<void> {
    const calls: Promise<unknown>[] = [];
    if (this.#logLevel && upstream.info.capabilities.logging) calls.push(upstream.request("logging/setLevel", this.#logLevel));
    for (const uri of this.#subscriptions) calls.push(upstream.request("resources/subscribe", { uri }));
    await Promise.allSettled(calls);
  }
}
