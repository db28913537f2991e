import type { JSONRPCRequest } from "@modelcontextprotocol/server";
import type { Logger } from "pino";
import type { CredentialSource } from "../backends/credentials/index.js";
import type { CallOptions, InitializeInfo, UpstreamSession } from "../backends/upstream-session.js";
import type { ResolvedBackend } from "../config/index.js";
import type { Params, RequestId, Result } from "../core/context.js";
import { ProxyError } from "../core/errors.js";
import type { BackendListing } from "../core/surface.js";
import { createdTaskId, TASK_SEPARATOR } from "../core/tasks.js";
import { BackendLink, type BackendNotice, type LinkMonitor } from "./backend-link.js";
import { levelRank } from "../core/log-levels.js";
import type { BackendReach } from "./backend-reach.js";
import type { BackendSlots } from "./backend-slots.js";
import { Serial } from "./serial.js";

/** What a client session hears from a backend it shares with others. */
export interface SharedSubscriber {
  changed(): void;
  notification(backend: string, method: string, params: Params | undefined, relatedRequestId: RequestId | undefined): void;
  request(backend: string, request: JSONRPCRequest, signal: AbortSignal, relatedRequestId: RequestId | undefined): Promise<Result>;
}

interface Call {
  readonly seat: SharedSeat;
  readonly id: RequestId;
}

/**
 * One upstream connection multiplexed for every client (`session: "shared"`), for stateless
 * servers. Request ids and progress tokens are minted per request, so clients never see each
 * other's answers. It advertises the gateway itself as its client, with no client
 * capabilities (no one client stands behind it); a server→client request or a log message is
 * delivered only when exactly one client's call is in flight, the only case where whose it is
 * cannot be mistaken. What clients ask of it is kept per client and combined: a URI stays
 * subscribed upstream while any client subscribes to it, the level applied upstream is the
 * most verbose any client asked for (each client still gets only its own level's messages),
 * and each client sees only the tasks its own calls created. Changes to one URI's
 * subscription, and to the level, reach the backend one at a time, so it ends in the state the
 * last answer described. After a restart the new session is given the combined state again.
 */
export class SharedBackend {
  readonly #seats = new Set<SharedSeat>();
  readonly #subscribers = new Map<string, Set<SharedSeat>>();
  /** Upstream task id → the seat whose call created it. */
  readonly #taskOwners = new Map<string, SharedSeat>();
  readonly #serial = new Serial();
  #appliedLevel: string | undefined;
  #link: BackendLink<Call> | undefined;

  constructor(
    readonly backend: ResolvedBackend,
    private readonly logger: Logger,
    private readonly slots: BackendSlots,
    private readonly self: { name: string; version: string },
    /** The backend-wide credential: a shared connection carries every caller, so never a caller's own. */
    private readonly credentials?: CredentialSource,
    private readonly onNotice?: BackendNotice,
    private readonly monitor?: LinkMonitor,
  ) {}

  get link(): BackendLink<Call> | undefined {
    return this.#link;
  }

  /** The level applied upstream by some client, if any: clients without one of their own are filtered at `info`. */
  get appliedLevel(): string | undefined {
    return this.#appliedLevel;
  }

  /** A client joins; the first one starts the connection. */
  seat(subscriber: SharedSubscriber): SharedSeat {
    const seat = new SharedSeat(this, subscriber);
    this.#seats.add(seat);
    this.#link ??= this.#newLink();
    return seat;
  }

  /** A client leaves: its subscriptions, level and tasks go with it; the last one out closes the connection. */
  async leave(seat: SharedSeat): Promise<void> {
    if (!this.#seats.delete(seat)) return;
    for (const [taskId, owner] of this.#taskOwners) if (owner === seat) this.#taskOwners.delete(taskId);
    if (this.#seats.size === 0) {
      const link = this.#link;
      this.#link = undefined;
      this.#subscribers.clear();
      this.#taskOwners.clear();
      this.#appliedLevel = undefined;
      await link?.close();
      return;
    }
    const uris = [...this.#subscribers].filter(([, seats]) => seats.has(seat)).map(([uri]) => uri);
    await Promise.allSettled([
      ...uris.map((uri) =>
        this.#serial.run(uri, async () => {
          const seats = this.#subscribers.get(uri);
          if (!seats?.delete(seat) || seats.size > 0) return;
          this.#subscribers.delete(uri);
          await this.#link?.upstream?.request("resources/unsubscribe", { uri });
        }),
      ),
      this.applyLevel(),
    ]);
  }

  /** The first subscriber's subscribe reaches the backend; later ones join it once it succeeded. */
  subscribe(seat: SharedSeat, id: RequestId, params: Params, options: CallOptions): Promise<Result> {
    const uri = String(params.uri);
    return this.#serial.run(uri, async () => {
      const seats = this.#subscribers.get(uri);
      if (seats?.size) {
        seats.add(seat);
        return {};
      }
      const result = await seat.call(id, "resources/subscribe", params, options);
      this.#subscribers.set(uri, new Set([seat]));
      return result;
    });
  }

  /** Only the last subscriber's unsubscribe reaches the backend (and forgets the URI once it succeeded); the others keep theirs. */
  unsubscribe(seat: SharedSeat, id: RequestId, params: Params, options: CallOptions): Promise<Result> {
    const uri = String(params.uri);
    return this.#serial.run(uri, async () => {
      const seats = this.#subscribers.get(uri);
      if (!seats?.has(seat)) return {};
      if (seats.size > 1) {
        seats.delete(seat);
        return {};
      }
      const result = await seat.call(id, "resources/unsubscribe", params, options);
      this.#subscribers.delete(uri);
      return result;
    });
  }

  /** Applies upstream the most verbose level any client on this backend asked for, when that changed. */
  applyLevel(): Promise<void> {
    return this.#serial.run("\u0000level", async () => {
      let wanted: string | undefined;
      for (const seat of this.#seats) if (seat.logLevel !== undefined && (wanted === undefined || levelRank(seat.logLevel) < levelRank(wanted))) wanted = seat.logLevel;
      const upstream = this.#link?.upstream;
      if (wanted === undefined || wanted === this.#appliedLevel || !upstream?.info.capabilities.logging) return;
      await upstream.request("logging/setLevel", { level: wanted });
      this.#appliedLevel = wanted;
    });
  }

  /** Task ids a client names must be ones its own calls created. */
  ownsTask(seat: SharedSeat, taskId: unknown): boolean {
    return this.#taskOwners.get(String(taskId)) === seat;
  }

  recordTask(seat: SharedSeat, result: Result): void {
    const taskId = createdTaskId(result);
    if (taskId !== undefined) this.#taskOwners.set(taskId, seat);
  }

  async listTasks(seat: SharedSeat): Promise<Params[]> {
    const upstream = this.#link?.upstream;
    if (!upstream || (upstream.info.capabilities.tasks as Params | undefined)?.list === undefined) return [];
    const tasks = await upstream.listAll("tasks/list", "tasks");
    return tasks.filter((t) => this.ownsTask(seat, t.taskId));
  }

  #newLink(): BackendLink<Call> {
    const link: BackendLink<Call> = new BackendLink<Call>(
      // The gateway is this connection's client: no single client could answer for it.
      { backend: this.backend, logger: this.logger, slots: this.slots, client: () => ({ info: this.self, capabilities: {} }), credentials: this.credentials, onNotice: this.onNotice, ...(this.monitor ? { monitor: this.monitor } : {}) },
      {
        changed: () => {
          for (const seat of this.#seats) seat.subscriber.changed();
        },
        notification: (method, params) => this.#onNotification(link, method, params),
        request: (request, signal) => {
          const only = onlyCall(link);
          if (!only) throw new ProxyError("METHOD_NOT_FOUND", `shared backend "${this.backend.name}" cannot tell which client should answer ${request.method}`);
          return only.seat.subscriber.request(this.backend.name, request, signal, only.id);
        },
        restore: (upstream) => this.#restore(upstream),
      },
    );
    return link;
  }

  async #restore(upstream: UpstreamSession): Promise<void> {
    this.#appliedLevel = undefined;
    const calls: Promise<unknown>[] = [this.applyLevel()];
    for (const uri of this.#subscribers.keys()) calls.push(upstream.request("resources/subscribe", { uri }));
    await Promise.allSettled(calls);
  }

  #onNotification(link: BackendLink<Call>, method: string, params: Params | undefined): void {
    const name = this.backend.name;
    if (method === "notifications/resources/updated") {
      for (const seat of this.#subscribers.get(String(params?.uri)) ?? []) seat.subscriber.notification(name, method, params, undefined);
      return;
    }
    if (method === "notifications/tasks/status") {
      this.#taskOwners.get(String(params?.taskId))?.subscriber.notification(name, method, params, undefined);
      return;
    }
    const only = onlyCall(link);
    if (method === "notifications/message") {
      // A log message may carry one client's data: only an unambiguous caller gets it, at its
      // own level; one sent outside any call has no one it surely belongs to and is dropped.
      if (only && only.seat.wantsLog(params?.level)) only.seat.subscriber.notification(name, method, params, only.id);
      return;
    }
    if (only) return only.seat.subscriber.notification(name, method, params, only.id);
    if (link.inflight.length === 0) {
      // The backend speaking for itself, about no one's call.
      for (const seat of this.#seats) seat.subscriber.notification(name, method, params, undefined);
      return;
    }
    this.logger.debug({ backend: name, method }, "dropped a notification of a shared backend: several calls in flight");
  }
}

function onlyCall(link: BackendLink<Call>): Call | undefined {
  return link.inflight.length === 1 ? link.inflight[0] : undefined;
}

/** One client session's place on a shared backend. */
export class SharedSeat implements BackendReach {
  logLevel: string | undefined;

  constructor(
    readonly shared: SharedBackend,
    readonly subscriber: SharedSubscriber,
  ) {}

  get name(): string {
    return this.shared.backend.name;
  }

  get listing(): BackendListing | undefined {
    return this.shared.link?.listing;
  }

  get lastKnown(): BackendListing | undefined {
    return this.shared.link?.lastKnown;
  }

  get upstream(): UpstreamSession | undefined {
    return this.shared.link?.upstream;
  }

  get inflight(): number {
    return this.shared.link?.inflight.filter((call) => call.seat === this).length ?? 0;
  }

  get info(): InitializeInfo | undefined {
    return this.shared.link?.info;
  }

  async open(): Promise<void> {
    await this.shared.link?.start();
  }

  async call(id: RequestId, method: string, params: Params, options: CallOptions): Promise<Result> {
    const link = this.shared.link;
    if (!link) throw new ProxyError("BACKEND_UNAVAILABLE", `backend "${this.name}" is unavailable`, { backend: this.name });
    if (method.startsWith("tasks/") && !this.shared.ownsTask(this, params.taskId)) {
      throw new ProxyError("UNKNOWN_TASK", `Unknown task: ${this.name}${TASK_SEPARATOR}${String(params.taskId)}`);
    }
    const upstream = await link.require();
    const result = await link.track({ seat: this, id }, upstream.request(method, params, options));
    if (method === "tools/call") this.shared.recordTask(this, result);
    return result;
  }

  subscribe(id: RequestId, params: Params, options: CallOptions): Promise<Result> {
    return this.shared.subscribe(this, id, params, options);
  }

  unsubscribe(id: RequestId, params: Params, options: CallOptions): Promise<Result> {
    return this.shared.unsubscribe(this, id, params, options);
  }

  async setLogLevel(params: Params): Promise<void> {
    const previous = this.logLevel;
    this.logLevel = String(params.level);
    try {
      await this.shared.applyLevel();
    } catch (error) {
      this.logLevel = previous;
      throw error;
    }
  }

  /**
   * Whether a log message at `level` is one this client should get: at or above its own level;
   * without one, everything while no client has changed the backend's level, and `info` and
   * above once another client's more verbose level may be in force upstream.
   */
  wantsLog(level: unknown): boolean {
    const own = this.logLevel ?? (this.shared.appliedLevel === undefined ? undefined : "info");
    return own === undefined || levelRank(level) >= levelRank(own);
  }

  listTasks(): Promise<Params[]> {
    return this.shared.listTasks(this);
  }

  close(): Promise<void> {
    return this.shared.leave(this);
  }
}
