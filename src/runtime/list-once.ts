import { UpstreamSession } from "../backends/upstream-session.js";
import type { ResolvedBackend } from "../config/index.js";
import { ProxyError } from "../core/errors.js";
import type { BackendListing } from "../core/surface.js";
import { listBackend } from "./backend-listing.js";

/** A backend that could not be listed, and why. */
export interface ListingFailure {
  readonly backend: string;
  readonly reason: string;
}

/**
 * Connects to each backend once, lists everything it offers and closes it again: the listings a
 * surface is built from, for the offline policy commands (`surface --live`, `test` without a
 * snapshot). Backends are listed in parallel and every one started is closed, also on failure.
 * A server→client request during listing is refused: nobody is there to answer it.
 */
export async function listBackendsOnce(
  backends: readonly ResolvedBackend[],
  client: { name: string; version: string },
  stderr: (backend: string, line: string) => void = () => undefined,
): Promise<{ listings: BackendListing[]; failures: ListingFailure[] }> {
  const results = await Promise.all(
    backends.map(async (backend): Promise<BackendListing | ListingFailure> => {
      const upstream = new UpstreamSession(backend, client, {}, {
        notification: () => undefined,
        request: () => Promise.reject(new ProxyError("METHOD_NOT_FOUND", "no client is connected while listing")),
        closed: () => undefined,
        stderr: (line) => stderr(backend.name, line),
        problem: (line) => stderr(backend.name, line),
      });
      try {
        return await listBackend(upstream, await upstream.connect());
      } catch (error) {
        return { backend: backend.name, reason: error instanceof Error ? error.message : String(error) };
      } finally {
        await upstream.close();
      }
    }),
  );
  return {
    listings: results.filter((r): r is BackendListing => "tools" in r),
    failures: results.filter((r): r is ListingFailure => !("tools" in r)),
  };
}
