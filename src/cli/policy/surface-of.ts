import { buildSurface, type BackendListing, type Surface } from "../../core/surface.js";
import type { PolicyWorkspace } from "./workspace.js";
import { readSnapshot } from "./snapshot.js";

/**
 * A config's surface over recorded listings: each enabled backend of the config, in config
 * order, with the config's own namespace (two configs compared over one snapshot may name a
 * backend's items differently). A backend the listings lack offers nothing.
 */
export function surfaceOf(ws: PolicyWorkspace, listings: readonly BackendListing[]): Surface {
  const byName = new Map(listings.map((l) => [l.backend, l]));
  const ordered: BackendListing[] = [];
  for (const [backend, namespace] of ws.pipeline.backends.namespaces) {
    const listing = byName.get(backend);
    if (listing) ordered.push({ ...listing, namespace });
  }
  return buildSurface(ordered, ws.pipeline.plan);
}

/** The surface of the cases file's snapshot, when it names one (explain and request cases use it for exact names). */
export function snapshotSurface(ws: PolicyWorkspace): Surface | undefined {
  return ws.cases?.snapshot === undefined ? undefined : surfaceOf(ws, readSnapshot(ws.cases.snapshot));
}
