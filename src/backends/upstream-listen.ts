import type { Client } from "@modelcontextprotocol/client";

type Subscription = Awaited<ReturnType<Client["listen"]>>;
type Filter = Parameters<Client["listen"]>[0];

/** A stream the backend dropped (not closed by us) is re-opened after this, doubling up to the cap. */
const RETRY_FIRST_MS = 1_000;
const RETRY_MAX_MS = 30_000;

/** The list changes a backend offers (its capabilities' listChanged flags): what the stream always asks for. */
export function listChangesOffered(capabilities: Record<string, unknown>): Filter {
  const offers = (key: string) => (capabilities[key] as { listChanged?: unknown } | undefined)?.listChanged === true;
  return {
    ...(offers("tools") ? { toolsListChanged: true } : {}),
    ...(offers("prompts") ? { promptsListChanged: true } : {}),
    ...(offers("resources") ? { resourcesListChanged: true } : {}),
  };
}

/**
 * The one `subscriptions/listen` stream the proxy holds on a 2026-07-28 backend, standing for
 * a legacy session's unsolicited list_changed and for its `resources/subscribe`. A listen
 * filter cannot be changed once acknowledged (the SDK and the spec re-listen instead), so a
 * change to the wanted URIs opens a new stream with the new filter and closes the old one only
 * once the new one is acknowledged: nothing is missed in between, at the cost of a possible
 * duplicate. Changes are applied one at a time, so the last one wins.
 */
export class UpstreamListen {
  readonly #uris = new Set<string>();
  #current: Subscription | undefined;
  #queue: Promise<void> = Promise.resolve();
  /** The next re-listen, queued and not started yet: changes made meanwhile join it (a restored session's URIs cost one re-listen, not one each). */
  #next: Promise<void> | undefined;
  #closed = false;
  #retryTimer: NodeJS.Timeout | undefined;
  #retryMs = RETRY_FIRST_MS;

  constructor(
    private readonly client: Client,
    /** The list changes asked for on every stream. */
    private readonly lists: Filter,
    private readonly timeoutMs: number,
    private readonly problem: (line: string) => void,
  ) {}

  /** Opens the stream when the backend offers any list change. */
  start(): Promise<void> {
    return this.#apply();
  }

  /**
   * Adds a URI to the stream (re-listening). False when the backend's acknowledgement leaves it
   * out (it will not tell of that URI), and it is forgotten; throws when re-listening failed.
   */
  async subscribe(uri: string): Promise<boolean> {
    if (this.#uris.has(uri)) return true;
    this.#uris.add(uri);
    try {
      await this.#apply();
    } catch (error) {
      this.#uris.delete(uri);
      throw error;
    }
    if (this.#current?.honoredFilter.resourceSubscriptions?.includes(uri)) return true;
    this.#uris.delete(uri);
    return false;
  }

  async unsubscribe(uri: string): Promise<void> {
    if (this.#uris.delete(uri)) await this.#apply();
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#retryTimer);
    const current = this.#current;
    this.#current = undefined;
    void current?.close().catch(() => undefined);
  }

  #apply(): Promise<void> {
    if (this.#next) return this.#next;
    const run = this.#queue.then(() => {
      this.#next = undefined;
      return this.#open();
    });
    this.#next = run;
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #open(): Promise<void> {
    if (this.#closed) return;
    clearTimeout(this.#retryTimer);
    const previous = this.#current;
    const filter: Filter = { ...this.lists, ...(this.#uris.size > 0 ? { resourceSubscriptions: [...this.#uris] } : {}) };
    if (Object.keys(filter).length === 0) {
      this.#current = undefined;
      await previous?.close().catch(() => undefined);
      return;
    }
    const next = await this.client.listen(filter, { timeout: this.timeoutMs });
    if (this.#closed) {
      await next.close().catch(() => undefined);
      return;
    }
    this.#current = next;
    this.#retryMs = RETRY_FIRST_MS;
    void next.closed.then((how) => {
      if (how !== "local" && this.#current === next && !this.#closed) this.#reopenLater(how);
    });
    await previous?.close().catch(() => undefined);
  }

  /** The backend ended the stream while its session lives on: listen again, with backoff. */
  #reopenLater(how: string): void {
    if (this.#closed) return;
    this.problem(`the subscriptions/listen stream ended (${how}); listening again in ${this.#retryMs} ms`);
    this.#current = undefined;
    this.#retryTimer = setTimeout(() => {
      this.#apply().catch((error: unknown) => {
        this.#retryMs = Math.min(this.#retryMs * 2, RETRY_MAX_MS);
        this.#reopenLater(`re-listen failed: ${error instanceof Error ? error.message : String(error)}`);
      });
    }, this.#retryMs);
    this.#retryTimer.unref();
  }
}
