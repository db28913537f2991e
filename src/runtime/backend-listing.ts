import type { InitializeInfo, UpstreamSession } from "../backends/upstream-session.js";
import { type Freshness, freshnessOf, mergeFreshness } from "../core/freshness.js";
import type { BackendListing, SurfaceList } from "../core/surface.js";

const LISTS = [
  ["tools/list", "tools"],
  ["prompts/list", "prompts"],
  ["resources/list", "resources"],
  ["resources/templates/list", "resourceTemplates"],
] as const;

/** Whether a backend notification means one of its lists changed and it must be listed again. */
export function isListChanged(method: string): boolean {
  return method === "notifications/tools/list_changed" || method === "notifications/prompts/list_changed" || method === "notifications/resources/list_changed";
}

/**
 * Lists everything a backend offers, every page, skipping what its capabilities say it lacks,
 * with what it promised about each list: a list is as fresh as its least fresh page, private
 * if any page is (a legacy backend's pages promise nothing).
 */
export async function listBackend(upstream: UpstreamSession, info: InitializeInfo): Promise<BackendListing> {
  const has = (cap: string) => info.capabilities[cap] !== undefined;
  const freshness: Partial<Record<SurfaceList, Freshness>> = {};
  const [tools, prompts, resources, resourceTemplates] = await Promise.all(
    LISTS.map(async ([method, key]) => {
      if (!has(method.split("/")[0]!)) return [];
      const pages: Freshness[] = [];
      try {
        const items = await upstream.listAll(method, key, (result, askedAt) => pages.push(freshnessOf(result, askedAt)));
        freshness[key] = mergeFreshness(pages);
        return items;
      } catch (e) {
        // A server may offer resources without templates: "method not found" there means an empty list (and one it cannot change).
        if ((e as { code?: unknown })?.code === -32601) return [];
        throw e;
      }
    }),
  );
  return { backend: upstream.backend.name, namespace: upstream.backend.namespace, tools: tools!, prompts: prompts!, resources: resources!, resourceTemplates: resourceTemplates!, freshness };
}

const RESTART_BASE_MS = 500;
const RESTART_MAX_MS = 30_000;

/** Jittered exponential backoff: many sessions restarting one backend must not stampede it. */
export function restartDelay(attempt: number): number {
  return Math.min(RESTART_MAX_MS, RESTART_BASE_MS * 2 ** attempt) * (0.5 + Math.random());
}
