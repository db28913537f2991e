import { LRUCache } from "lru-cache";

/** One cached answer: its JSON (so every hit gets a fresh copy no stage can spoil for the next) and what it came from. */
export interface CachedAnswer {
  readonly json: string;
  readonly backend: string;
  readonly method: "tools/call" | "resources/read";
  /** The tool name or URI at the backend (what its notifications name). */
  readonly original: string;
  /** When it was kept (epoch ms): a hit's own `ttlMs` counts down from here. */
  readonly storedAt: number;
}

/**
 * The cache's memory: least recently used answers go first once their JSON, together, passes
 * `maxBytes`; each answer also expires after its TTL. It is runtime state handed to the
 * compiler, so a recompiled pipeline finds the answers of the previous one. Invalidation
 * walks the entries: it happens on a backend's notification, rarely, and needs no index.
 */
export class ResultStore {
  readonly #lru: LRUCache<string, CachedAnswer>;

  constructor(readonly maxBytes: number) {
    this.#lru = new LRUCache<string, CachedAnswer>({ maxSize: maxBytes, sizeCalculation: (answer) => Math.max(1, answer.json.length) });
  }

  get(key: string): CachedAnswer | undefined {
    return this.#lru.get(key);
  }

  /** An answer larger than the whole budget is not kept. */
  set(key: string, answer: CachedAnswer, ttlMs: number): void {
    this.#lru.set(key, answer, { ttl: ttlMs });
  }

  /** Answers kept now (expired ones may still count until touched). */
  get size(): number {
    return this.#lru.size;
  }

  /** Drops every answer `drop` says is stale; returns how many. */
  invalidate(drop: (answer: CachedAnswer) => boolean): number {
    const stale: string[] = [];
    for (const [key, answer] of this.#lru.entries()) if (drop(answer)) stale.push(key);
    for (const key of stale) this.#lru.delete(key);
    return stale.length;
  }

  /**
   * What a backend's notification makes stale: tools list_changed, its tool results (a tool may
   * now do something else); resources list_changed, its reads; resources/updated, the reads of
   * that URI. Returns how many answers were dropped.
   */
  onBackendNotice(backend: string, method: string, params: Record<string, unknown> | undefined): number {
    if (method === "notifications/tools/list_changed") return this.invalidate((a) => a.backend === backend && a.method === "tools/call");
    if (method === "notifications/resources/list_changed") return this.invalidate((a) => a.backend === backend && a.method === "resources/read");
    if (method === "notifications/resources/updated") {
      const uri = params?.uri;
      return this.invalidate((a) => a.backend === backend && a.method === "resources/read" && a.original === uri);
    }
    return 0;
  }
}
