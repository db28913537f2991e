import { isDeepStrictEqual } from "node:util";
import type { SurfaceItem } from "./visible-items.js";

/** What one changed item changed: each field with its value before and after. */
export type ItemChanges = Partial<Record<"description" | "schema" | "backend" | "original", { readonly from: unknown; readonly to: unknown }>>;

/** The difference between what one caller sees under two configs. */
export interface SurfaceDiff {
  readonly added: readonly SurfaceItem[];
  readonly removed: readonly SurfaceItem[];
  readonly changed: ReadonlyArray<{ readonly list: SurfaceItem["list"]; readonly name: string; readonly changes: ItemChanges }>;
}

const FIELDS = ["description", "schema", "backend", "original"] as const;

/** Items are the same item when list and exposed name agree; anything else a client is told about it is compared. */
export function diffSurfaces(before: readonly SurfaceItem[], after: readonly SurfaceItem[]): SurfaceDiff {
  const key = (it: SurfaceItem) => `${it.list}\u0000${it.name}`;
  const old = new Map(before.map((it) => [key(it), it]));
  const now = new Map(after.map((it) => [key(it), it]));
  const changed: Array<SurfaceDiff["changed"][number]> = [];
  for (const [k, it] of now) {
    const was = old.get(k);
    if (!was) continue;
    const changes: ItemChanges = {};
    for (const field of FIELDS) if (!isDeepStrictEqual(was[field], it[field])) changes[field] = { from: was[field], to: it[field] };
    if (Object.keys(changes).length > 0) changed.push({ list: it.list, name: it.name, changes });
  }
  return { added: after.filter((it) => !old.has(key(it))), removed: before.filter((it) => !now.has(key(it))), changed };
}

/** Whether a diff has anything in it. */
export function isEmptyDiff(diff: SurfaceDiff): boolean {
  return diff.added.length === 0 && diff.removed.length === 0 && diff.changed.length === 0;
}
