/**
 * The shapes the policy engine works with: the rules as configured (specs), the data a rule
 * sees at call time and at list time, and the engine's answers. Nothing here runs.
 */

import type { ItemKind, MatchSpec } from "../core/match.js";

export type { ItemKind, MatchSpec };

/** One configured rule. It applies when `match` holds and `when` (JSON-Logic) is truthy. */
export interface PolicyRuleSpec {
  readonly name: string;
  readonly effect: "allow" | "deny";
  /** Defaults to both, so what a caller sees and what it may call agree. */
  readonly actions?: readonly ("list" | "call")[];
  readonly match?: MatchSpec;
  /** A JSON-Logic rule over {@link PolicyData}; absent means always. */
  readonly when?: unknown;
  /** "shadow": evaluated at call time but never decides (see PolicyEngine.shadow); ignored when listing. */
  readonly mode?: "enforce" | "shadow";
}

/** The configured policies: rules, and the decision when none applies. */
export interface PolicySpec {
  readonly default: "allow" | "deny";
  /** A default being tried out: reported by PolicyEngine.shadow when it would change a default decision. */
  readonly shadowDefault?: "allow" | "deny";
  readonly rules: readonly PolicyRuleSpec[];
}

/** The documented data a rule sees. */
export interface PolicyData {
  readonly identity: { readonly sub: string; readonly iss?: string; readonly roles: readonly string[]; readonly claims: Readonly<Record<string, unknown>> };
  readonly request: { readonly method: string; readonly name?: string; readonly uri?: string; readonly arguments?: Readonly<Record<string, unknown>> };
  readonly target: { readonly kind: ItemKind | "task"; readonly name: string; readonly original: string; readonly labels: readonly string[] };
  readonly backend: { readonly name: string; readonly labels: readonly string[] };
  readonly session: { readonly id: string; readonly binding: string; readonly labelsSeen: readonly string[] };
  readonly time: { readonly iso: string; readonly epochMs: number; readonly hour: number; readonly weekday: number };
}

/** What the list decision sees: no arguments, no session, no time (those are decided at call time only). */
export type ListData = Pick<PolicyData, "identity" | "target" | "backend"> & {
  readonly request: { readonly method: string; readonly name?: string; readonly uri?: string };
};

/** The answer to one call decision. Engines hand out shared, frozen decisions: do not mutate. */
export interface Decision {
  readonly allowed: boolean;
  /** the deciding rule's name, or "default" */
  readonly rule: string;
  /** Set when the deciding rule's `when` threw: an error in a rule refuses the call (fails closed). */
  readonly error?: true;
}

/** What one call decision evaluated for one rule (explain tooling). */
export interface RuleExplanation {
  readonly name: string;
  readonly effect: "allow" | "deny";
  /** Whether the rule's `match` held. */
  readonly matched: boolean;
  /** What `when` returned (true when there is none); absent when not matched or when it threw. */
  readonly result?: unknown;
  /** The message of what `when` threw, if it threw. */
  readonly error?: string;
  /** Set on a shadow rule: it was evaluated, but it does not decide. */
  readonly shadow?: true;
}

/** What a shadow rule (or the shadow default) would have changed about one call decision. */
export interface ShadowEffect {
  /** The shadow rule's name, or "default" for `shadowDefault`. */
  readonly rule: string;
  readonly effect: "allow" | "deny";
}

/** What the rules of a policy read from the data, found statically. */
export interface PolicyReads {
  readonly arguments: boolean;
  readonly time: boolean;
  readonly session: boolean;
}

/** A compiled policy: built once per config, asked per request. */
export interface PolicyEngine {
  /** Call time: every rule whose action includes "call". Deny wins over allow; no applying rule → default. */
  decide(data: PolicyData): Decision;
  /**
   * List time, three-valued: arguments, time and session are unknown. A deny rule hides the item only
   * when its `when` is definitely true; an allow rule lists it unless its `when` is definitely false.
   */
  visible(data: ListData): boolean;
  /** Names of identity.claims.X read by any rule (the audit records just these claims). Computed statically. */
  readonly claimsRead: readonly string[];
  /** True when some rule may read claims not named in `claimsRead` (whole `identity`/`identity.claims`, or a computed path). */
  readonly readsAllClaims: boolean;
  /** Whether any rule reads request arguments, time or session (so the caller can skip building them). */
  readonly reads: PolicyReads;
  /** Per rule (shadow ones marked), for explain tooling: what a call decision evaluated. Not on the hot path. */
  explain(data: PolicyData): { readonly decision: Decision; readonly rules: ReadonlyArray<RuleExplanation> };
  /** Whether the policy has shadow rules or a shadow default (else `shadow` always answers none). */
  readonly hasShadow: boolean;
  /**
   * The shadow rules that would change `decision` if they were enforced: an applying shadow deny
   * when the call was allowed, an applying shadow allow when only the default refused it, and
   * the shadow default when the default decided and no rule applied. A shadow rule whose `when`
   * throws counts as a deny (an enforced one would refuse).
   */
  shadow(data: PolicyData, decision: Decision): readonly ShadowEffect[];
}
