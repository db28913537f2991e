import { readFileSync, writeFileSync } from "node:fs";
import type { BackendListing } from "../../core/surface.js";
import { UsageError } from "../io.js";

/** The document `surface --write-snapshot` writes: every backend's listings, as they answered. */
export interface SurfaceSnapshot {
  readonly version: 1;
  readonly backends: readonly BackendListing[];
}

const LIST_KEYS = ["tools", "prompts", "resources", "resourceTemplates"] as const;

/** Reads a snapshot file; a missing or malformed one is a usage error naming the file. */
export function readSnapshot(file: string): BackendListing[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`snapshot ${file}: ${code ? `cannot be read (${code})` : `not valid JSON (${(error as Error).message})`}`);
  }
  const doc = raw as Partial<SurfaceSnapshot>;
  if (typeof raw !== "object" || raw === null || doc.version !== 1 || !Array.isArray(doc.backends)) {
    throw new UsageError(`snapshot ${file}: expected { "version": 1, "backends": [...] } (write one with mcp-proxy surface --write-snapshot)`);
  }
  return doc.backends.map((b, i) => {
    if (typeof b?.backend !== "string") throw new UsageError(`snapshot ${file}: backends[${i}] has no "backend" name`);
    const lists = Object.fromEntries(LIST_KEYS.map((key) => [key, Array.isArray(b[key]) ? b[key] : []]));
    return { backend: b.backend, namespace: typeof b.namespace === "string" ? b.namespace : b.backend, ...lists } as BackendListing;
  });
}

/** Writes listings as a snapshot file, stable and readable in a diff. */
export function writeSnapshot(file: string, listings: readonly BackendListing[]): void {
  const doc: SurfaceSnapshot = { version: 1, backends: listings };
  writeFileSync(file, `${JSON.stringify(doc, null, 2)}\n`);
}
