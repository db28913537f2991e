import { createHash } from "node:crypto";
import { type Freshness, mergeFreshness, NO_PROMISE } from "./freshness.js";

/** The four lists a surface merges, by their result key. */
export type SurfaceList = "tools" | "prompts" | "resources" | "resourceTemplates";

/** The lists one backend offered, in its order. */
export interface BackendListing {
  readonly backend: string;
  readonly namespace: string;
  readonly tools: readonly Record<string, unknown>[];
  readonly prompts: readonly Record<string, unknown>[];
  readonly resources: readonly Record<string, unknown>[];
  readonly resourceTemplates: readonly Record<string, unknown>[];
  /**
   * What the backend promised about each list it was asked for (a 2026-07-28 backend's
   * `ttlMs`/`cacheScope`; a legacy one's promise is nothing). A list it was not asked for (it
   * lacks the capability) is absent: it contributes nothing to that merged list. A listing
   * without this field (built offline) promises nothing about any list.
   */
  readonly freshness?: Readonly<Partial<Record<SurfaceList, Freshness>>>;
}

export interface Route {
  readonly backend: string;
  readonly original: string;
}

/** The merged, renamed, filtered view a client sees, with the way back to each owner. */
export interface Surface {
  readonly tools: readonly Record<string, unknown>[];
  readonly prompts: readonly Record<string, unknown>[];
  readonly resources: readonly Record<string, unknown>[];
  readonly resourceTemplates: readonly Record<string, unknown>[];
  readonly toolRoutes: ReadonlyMap<string, Route>;
  readonly promptRoutes: ReadonlyMap<string, Route>;
  /** Exact resource URI → backend. */
  readonly resourceOwners: ReadonlyMap<string, string>;
  /** Templates in surface order, each with a matcher for URIs it produces. */
  readonly templateOwners: readonly { readonly matcher: RegExp; readonly backend: string; readonly uriTemplate: string }[];
  /** Whether a concrete URI is hidden from a backend's surface (exclude, include, hide). */
  readonly isHidden: (backend: string, uri: string) => boolean;
  /** Each merged list's promise: the least fresh of its contributing backends', private if any of theirs is. */
  readonly freshness: Readonly<Record<SurfaceList, Freshness>>;
}

/** Most common clients refuse tool names longer than this. */
export const MAX_TOOL_NAME = 64;

/** Compiled once per config (see compile/naming-plan): include/exclude matchers and per-item overrides. */
export interface NamingPlan {
  readonly prefix: "always" | "on-conflict" | "never";
  readonly separator: string;
  readonly visible: ReadonlyMap<string, (name: string) => boolean>;
  /** The compiled include/exclude matchers behind `visible`, by backend (for describing the plan). */
  readonly matchers: ReadonlyMap<string, { readonly include?: RegExp; readonly exclude?: RegExp }>;
  readonly overrides: ReadonlyMap<string, { rename?: string; hide?: boolean; description?: string }>;
}

/** The key of a per-item override: routes match on (kind, backend, original name or URI). */
export function overrideKey(kind: string, backend: string, name: string): string {
  return `${kind}\u0000${backend}\u0000${name}`;
}

/** Keeps a prefixed name within the limit, stably: the same input always gives the same name. */
export function fitName(name: string): string {
  if (name.length <= MAX_TOOL_NAME) return name;
  const hash = createHash("sha256").update(name).digest("hex").slice(0, 8);
  return `${name.slice(0, MAX_TOOL_NAME - 9)}_${hash}`;
}

/** Merges listings (given in config order) into one surface; pure, so it is cheap to test. */
export function buildSurface(listings: readonly BackendListing[], plan: NamingPlan): Surface {
  const named = (kind: "tool" | "prompt", key: "tools" | "prompts") => {
    const counts = new Map<string, number>();
    for (const listing of listings) for (const item of listing[key]) counts.set(String(item.name), (counts.get(String(item.name)) ?? 0) + 1);
    const items: Record<string, unknown>[] = [];
    const routes = new Map<string, Route>();
    for (const listing of listings) {
      for (const item of listing[key]) {
        const original = String(item.name);
        const override = plan.overrides.get(overrideKey(kind, listing.backend, original));
        if (override?.hide || !plan.visible.get(listing.backend)?.(original)) continue;
        const prefixed = plan.prefix === "always" || (plan.prefix === "on-conflict" && (counts.get(original) ?? 0) > 1);
        const exposed = override?.rename ?? fitName(prefixed ? `${listing.namespace}${plan.separator}${original}` : original);
        if (routes.has(exposed)) continue; // never-prefix collisions: the first backend in config order keeps the name
        routes.set(exposed, { backend: listing.backend, original });
        items.push({ ...item, name: exposed, ...(override?.description === undefined ? {} : { description: override.description }) });
      }
    }
    return { items, routes };
  };
  const tools = named("tool", "tools");
  const prompts = named("prompt", "prompts");

  const resources: Record<string, unknown>[] = [];
  const resourceOwners = new Map<string, string>();
  const resourceTemplates: Record<string, unknown>[] = [];
  const templateOwners: { matcher: RegExp; backend: string; uriTemplate: string }[] = [];
  for (const listing of listings) {
    const visible = plan.visible.get(listing.backend);
    for (const resource of listing.resources) {
      const uri = String(resource.uri);
      const override = plan.overrides.get(overrideKey("resource", listing.backend, uri));
      if (override?.hide || !visible?.(uri) || resourceOwners.has(uri)) continue;
      resourceOwners.set(uri, listing.backend);
      resources.push(override?.description === undefined ? resource : { ...resource, description: override.description });
    }
    for (const template of listing.resourceTemplates) {
      const uriTemplate = String(template.uriTemplate);
      const override = plan.overrides.get(overrideKey("resourceTemplate", listing.backend, uriTemplate));
      if (override?.hide || !visible?.(uriTemplate)) continue;
      templateOwners.push({ matcher: templateMatcher(uriTemplate), backend: listing.backend, uriTemplate });
      resourceTemplates.push(override?.description === undefined ? template : { ...template, description: override.description });
    }
  }
  const isHidden = (backend: string, uri: string) => !plan.visible.get(backend)?.(uri) || plan.overrides.get(overrideKey("resource", backend, uri))?.hide === true;
  const freshness = {
    tools: listFreshness(listings, "tools"),
    prompts: listFreshness(listings, "prompts"),
    resources: listFreshness(listings, "resources"),
    resourceTemplates: listFreshness(listings, "resourceTemplates"),
  };
  return { tools: tools.items, prompts: prompts.items, resources, resourceTemplates, toolRoutes: tools.routes, promptRoutes: prompts.routes, resourceOwners, templateOwners, isHidden, freshness };
}

/** Every backend listed for a list contributes to its promise, also with no item in it now (it may have one on the next listing). */
function listFreshness(listings: readonly BackendListing[], list: SurfaceList): Freshness {
  return mergeFreshness(listings.flatMap((l) => (l.freshness === undefined ? [NO_PROMISE] : l.freshness[list] ? [l.freshness[list]] : [])));
}

/** An RFC 6570 template as a matcher: each `{…}` expression matches any run of characters. */
export function templateMatcher(uriTemplate: string): RegExp {
  const parts = uriTemplate.split(/\{[^}]*\}/).map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(`^${parts.join(".*")}$`);
}

/**
 * The backend that owns a URI: an exact listed resource first, then the first matching template,
 * unless the configuration hides that URI from that backend (a hidden resource stays hidden
 * when a template would also produce it).
 */
export function ownerOfUri(surface: Surface, uri: string): string | undefined {
  const listed = surface.resourceOwners.get(uri);
  if (listed) return listed;
  const backend = surface.templateOwners.find((t) => t.matcher.test(uri))?.backend;
  return backend === undefined || surface.isHidden(backend, uri) ? undefined : backend;
}
