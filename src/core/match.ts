/** The kinds of MCP item a policy rule or a filter can be about. */
export type ItemKind = "tool" | "prompt" | "resource" | "resourceTemplate";

/**
 * Which requests a policy rule or a response filter applies to, as the config's `match` says.
 * Every criterion given must hold; an omitted one matches everything; an empty list matches
 * nothing (no value is in it).
 */
export interface MatchSpec {
  /** Backend names, compared exactly. */
  readonly backends?: readonly string[];
  /** Item kinds; a task target matches no kinds list. */
  readonly kinds?: readonly ItemKind[];
  /** Globs over the exposed name, URI or URI template: `*` is any run of characters, the rest is literal, the whole name must match (see glob.ts). */
  readonly names?: readonly string[];
  /** MCP methods, compared exactly (e.g. `tools/call`). */
  readonly methods?: readonly string[];
}
