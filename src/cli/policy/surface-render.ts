import { VISIBLE_KINDS } from "./cases.js";
import { type SurfaceDiff, isEmptyDiff } from "./surface-diff.js";
import type { SurfaceItem } from "./visible-items.js";

/** Singular words for the lists, as a reviewer reads them. */
const NOUN: Record<SurfaceItem["list"], string> = { tools: "tool", prompts: "prompt", resources: "resource", resourceTemplates: "resource template" };

/** An item as JSON output shows it. */
export function itemJson(it: SurfaceItem): Record<string, unknown> {
  return {
    name: it.name,
    kind: it.kind,
    backend: it.backend,
    original: it.original,
    ...(it.description === undefined ? {} : { description: it.description }),
    ...(it.schema === undefined ? {} : { schema: it.schema }),
    ...(it.labels.length ? { labels: it.labels } : {}),
  };
}

/** The lists of a surface as text: per list, each name with its backend and original name. */
export function renderSurface(items: readonly SurfaceItem[]): string {
  const lines: string[] = [];
  for (const list of VISIBLE_KINDS) {
    const of = items.filter((it) => it.list === list);
    lines.push(`${list} (${of.length}):`);
    const width = Math.max(0, ...of.map((it) => it.name.length));
    const ownerOf = (it: SurfaceItem) => (it.original === it.name && (it.list === "resources" || it.list === "resourceTemplates") ? it.backend : `${it.backend}/${it.original}`);
    const ownerWidth = Math.max(0, ...of.map((it) => ownerOf(it).length));
    for (const it of of) {
      // A resource's original is its URI, already in the first column: the backend says enough.
      const owner = ownerOf(it);
      lines.push(`  ${it.name.padEnd(width)}  ${it.description ? `${owner.padEnd(ownerWidth)}  ${oneLine(it.description)}` : owner}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

/** One caller's diff as text for a pull-request comment: + added, - removed, ~ changed with before → after. */
export function renderDiff(who: string, diff: SurfaceDiff): string {
  if (isEmptyDiff(diff)) return `${who}: no change\n`;
  const lines = [`${who}:`];
  for (const it of diff.removed) lines.push(`  - removed ${NOUN[it.list]} ${it.name} (${it.backend}/${it.original})`);
  for (const it of diff.added) lines.push(`  + added ${NOUN[it.list]} ${it.name} (${it.backend}/${it.original})`);
  for (const c of diff.changed) {
    for (const [field, { from, to }] of Object.entries(c.changes)) {
      lines.push(`  ~ changed ${NOUN[c.list]} ${c.name}: ${field} ${show(from)} → ${show(to)}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

function show(value: unknown): string {
  return value === undefined ? "(none)" : oneLine(JSON.stringify(value));
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > 100 ? `${flat.slice(0, 97)}...` : flat;
}
