import type { CallOptions, InitializeInfo, UpstreamSession } from "../backends/upstream-session.js";
import type { Params, RequestId, Result } from "../core/context.js";
import type { BackendListing } from "../core/surface.js";

/**
 * How one client session reaches one backend: through its own upstream session
 * (`OwnBackend`, per-client) or through its seat on a shared one (`SharedSeat`). The session
 * treats both alike; what differs (whose subscriptions, whose tasks, which log level) is
 * decided behind this interface.
 */
export interface BackendReach {
  readonly name: string;
  /** Lists while the backend is up. */
  readonly listing: BackendListing | undefined;
  /** Lists while up, else the last seen (so calls to a down backend's items name it). */
  readonly lastKnown: BackendListing | undefined;
  /** What the backend answered to initialize, while up (for capabilities and instructions). */
  readonly info: InitializeInfo | undefined;
  /** The upstream session this client talks to while it is up (none while a per-client one only lists from its catalog). */
  readonly upstream: UpstreamSession | undefined;
  /** Joins at initialize: starts or joins what lists the backend; settles once the first attempt did. */
  open(): Promise<void>;
  /**
   * For a reach that lists from a catalog: starts the client's own upstream session now and
   * resolves true once its first attempt settled (the client's lists may have changed); false
   * when there was nothing to start (already its own, or shared).
   */
  startOwn?(): Promise<boolean>;
  /** Sends one request on the client's behalf; `id` is the client's request id (for streams). */
  call(id: RequestId, method: string, params: Params, options: CallOptions): Promise<Result>;
  subscribe(id: RequestId, params: Params, options: CallOptions): Promise<Result>;
  unsubscribe(id: RequestId, params: Params, options: CallOptions): Promise<Result>;
  setLogLevel(params: Params): Promise<void>;
  /** This client's calls to the backend still under way (a reach being replaced waits for them). */
  readonly inflight: number;
  /** This client's tasks on this backend, ids as the backend knows them. */
  listTasks(): Promise<Params[]>;
  close(): Promise<void>;
}


/**
 * Retires a reach replaced or removed by a reload: this client's calls under way finish (for
 * at most `graceMs`), then it closes, ending the client's upstream session or its seat.
 */
export async function drainReach(reach: BackendReach, graceMs: number): Promise<void> {
  const deadline = Date.now() + graceMs;
  while (reach.inflight > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
  await reach.close();
}
