/**
 * A config problem: where it is (a dot path such as `backends.crm.url`, empty for the
 * whole file) and what was expected. Config issues never go on the wire; they are
 * reported by `mcp-proxy validate`, at start-up and by a failed reload.
 */
export interface ConfigIssue {
  readonly path: string;
  readonly message: string;
}

/** Thrown when a config cannot be used; carries every issue found, not just the first. */
export class ConfigError extends Error {
  readonly code = "CONFIG_INVALID";
  constructor(
    readonly file: string | undefined,
    readonly issues: readonly ConfigIssue[],
  ) {
    super(`${file ?? "config"} is invalid: ${issues.map((i) => `${i.path || "(file)"}: ${i.message}`).join("; ")}`);
    this.name = "ConfigError";
  }
}

/** Thrown when no config can be read at all (missing or unreadable file): a usage problem, not an invalid config. */
export class ConfigNotFoundError extends Error {
  readonly code = "CONFIG_NOT_FOUND";
  constructor(message: string) {
    super(message);
    this.name = "ConfigNotFoundError";
  }
}

/** Joins path segments the way users write them: `policies.rules[2].when`. */
export function joinPath(base: string, segment: string | number): string {
  if (typeof segment === "number") return `${base}[${segment}]`;
  return base ? `${base}.${segment}` : segment;
}

/** Orders issues by path so a report reads top to bottom and is stable between runs. */
export function sortIssues(issues: readonly ConfigIssue[]): ConfigIssue[] {
  return [...issues].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.message < b.message ? -1 : 1));
}
