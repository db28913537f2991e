import { buildSurface, type BackendListing, type NamingPlan, type Surface } from "../core/surface.js";

export type ChangedList = "notifications/tools/list_changed" | "notifications/prompts/list_changed" | "notifications/resources/list_changed";

/**
 * One client's merged view: `live` (backends that are up) answers lists and routes calls;
 * `known` (with the last listing of backends that are down) lets a call to a down backend's
 * item name that backend instead of calling the item unknown.
 */
export class SessionSurface {
  live: Surface;
  known: Surface;

  constructor(plan: NamingPlan) {
    this.live = this.known = buildSurface([], plan);
  }

  /** Rebuilds both views from listings in config order; returns the lists whose content changed. */
  rebuild(live: readonly BackendListing[], known: readonly BackendListing[], plan: NamingPlan): ChangedList[] {
    const before = this.live;
    this.live = buildSurface(live, plan);
    this.known = buildSurface(known, plan);
    const changed: ChangedList[] = [];
    if (differs(before.tools, this.live.tools)) changed.push("notifications/tools/list_changed");
    if (differs(before.prompts, this.live.prompts)) changed.push("notifications/prompts/list_changed");
    if (differs(before.resources, this.live.resources) || differs(before.resourceTemplates, this.live.resourceTemplates)) {
      changed.push("notifications/resources/list_changed");
    }
    return changed;
  }
}

function differs(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length !== b.length || JSON.stringify(a) !== JSON.stringify(b);
}
