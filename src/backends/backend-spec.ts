import type { BackendAuthSpec } from "./credentials/types.js";

/**
 * What the upstream side needs to know of a backend. The runtime hands it the resolved
 * backend from the config, which has this shape; `src/backends` does not depend on the
 * config module, so transports can be reused and tested on their own.
 */

/** A header or environment value: text, or a secret that says what it is only when asked. */
export type Revealable = string | { reveal(): string; /** False for a secret loaded unchecked (nothing to reveal). */ readonly resolved?: boolean };

/** The value to put on the wire or in a child's environment; secrets are revealed here and only here. */
export function reveal(value: Revealable): string {
  return typeof value === "string" ? value : value.reveal();
}

interface BackendSpecCommon {
  readonly name: string;
  readonly namespace: string;
  readonly timeouts: { readonly startupMs: number; readonly callMs: number };
  /** Largest message accepted from the backend. */
  readonly maxMessageBytes: number;
  /** The protocol era spoken with it: legacy (absent), modern (2026-07-28 pinned) or auto (probed once per process). */
  readonly era?: "auto" | "legacy" | "modern";
}

export interface StdioBackendSpec extends BackendSpecCommon {
  readonly transport: "stdio";
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, Revealable>>;
  /** Names of the proxy's own environment variables the child may see. */
  readonly inheritEnv: readonly string[];
  readonly cwd: string;
}

export interface RemoteBackendSpec extends BackendSpecCommon {
  readonly transport: "http" | "sse";
  readonly url: string;
  readonly headers: Readonly<Record<string, Revealable>>;
  /** How the proxy gets its own bearer token for this backend (see ./credentials). */
  readonly auth?: BackendAuthSpec | undefined;
}

export type BackendSpec = StdioBackendSpec | RemoteBackendSpec;
