import type { ConfigIssue } from "./config-issue.js";
import type { ResolvedConfig } from "./resolved-types.js";

/** One setting the config language has but this version's runtime does not apply. */
export interface UnenforcedSetting {
  /** Where it is set, as `validate` reports it. */
  readonly path: string;
  /** How `start` names it when refusing: `auth (jwt)`. */
  readonly label: string;
}

/**
 * Settings this version validates but does not enforce yet. Running anyway would let an
 * operator believe a gateway is locked down while it is open, so `start` refuses them and
 * `validate` reports them as errors: the language runs ahead of the runtime, never the
 * other way round. Today every setting the language has is enforced; the mechanism stays for the
 * next feature whose language lands before its runtime.
 */
export function unenforcedSections(_config: ResolvedConfig): UnenforcedSetting[] {
  const gaps: UnenforcedSetting[] = [];
  return gaps;
}

/** The names `start` prints when it refuses a config: `auth (jwt)`. */
export function unenforcedSettings(config: ResolvedConfig): string[] {
  return unenforcedSections(config).map((gap) => gap.label);
}

/** The same gaps as `validate` errors, each at its path. */
export function unenforcedIssues(config: ResolvedConfig): ConfigIssue[] {
  return unenforcedSections(config).map((gap) => ({
    path: gap.path,
    message: `is not enforced by this version yet (${gap.label}); start refuses the config rather than run more open than it says`,
  }));
}
