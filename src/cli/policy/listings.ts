import { resolve } from "node:path";
import { ConfigError, loadConfig, type ResolvedBackend } from "../../config/index.js";
import type { BackendListing } from "../../core/surface.js";
import { listBackendsOnce } from "../../runtime/list-once.js";
import { formatIssues } from "../format-issues.js";
import { type CommandIo, UsageError } from "../io.js";
import { readSnapshot } from "./snapshot.js";
import { InvalidConfig, type PolicyWorkspace } from "./workspace.js";

/** Where the backends' listings come from: a snapshot file, or the backends themselves. */
export interface ListingSource {
  readonly snapshot?: string;
  readonly live?: boolean;
}

/** What a command states about where its listings came from (printed with the results). */
export interface Listings {
  readonly listings: BackendListing[];
  /** "snapshot FILE" or "live". */
  readonly from: string;
}

/**
 * The listings to judge a surface by: `--snapshot FILE`, `--live`, else the test cases'
 * snapshot, else live. A backend that cannot be listed live is named on stderr and offers nothing.
 */
export async function obtainListings(ws: PolicyWorkspace, source: ListingSource, io: CommandIo, others: readonly PolicyWorkspace[] = []): Promise<Listings> {
  if (source.snapshot !== undefined && source.live) throw new UsageError("give --snapshot FILE or --live, not both");
  const file = source.snapshot !== undefined ? resolve(io.cwd, source.snapshot) : source.live ? undefined : ws.cases?.snapshot;
  if (file !== undefined) return { listings: readSnapshot(file), from: `snapshot ${file}` };
  return { listings: await liveListings([ws, ...others], io), from: "live" };
}

/**
 * Starts every enabled backend of the configs once (with their real secrets), lists it and
 * closes it. A backend both configs have is started as the first config defines it.
 */
export async function liveListings(workspaces: readonly PolicyWorkspace[], io: CommandIo): Promise<BackendListing[]> {
  const byName = new Map<string, ResolvedBackend>();
  for (const ws of workspaces) {
    let config;
    try {
      config = (await loadConfig({ configPath: ws.file, cwd: io.cwd, env: io.env })).config;
    } catch (error) {
      if (error instanceof ConfigError) throw new InvalidConfig(formatIssues(error.file ?? ws.file, error.issues, []));
      throw error;
    }
    for (const backend of Object.values(config.backends)) if (backend.enabled && !byName.has(backend.name)) byName.set(backend.name, backend);
  }
  const backends = [...byName.values()];
  const { listings, failures } = await listBackendsOnce(backends, { name: "mcp-proxy-surface", version: "1" });
  for (const failure of failures) io.err(`mcp-proxy: backend "${failure.backend}" could not be listed: ${failure.reason}\n`);
  return listings;
}
