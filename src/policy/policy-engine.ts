/**
 * Compiles a policy (rules + default) once per config into an engine that answers per request.
 * Everything that can be prepared is prepared here: the rule lists per action, the match
 * predicates, both forms of each `when`, and the Decision objects themselves, so a decision
 * allocates nothing and evaluates only closures.
 */
import { compileLogic, type Evaluate } from "./json-logic.js";
import { compileMatch, type Matcher } from "./match.js";
import { truthy } from "./operators.js";
import { compileListTime, truthiness } from "./three-valued.js";
import type { Decision, ListData, PolicyData, PolicyEngine, PolicyRuleSpec, PolicySpec, RuleExplanation, ShadowEffect } from "./types.js";
import { ruleReads } from "./vars-read.js";

interface CompiledRule {
  readonly name: string;
  readonly effect: "allow" | "deny";
  readonly deny: boolean;
  readonly matches: Matcher;
  /** Call-time `when`; undefined when the rule has none (always applies). */
  readonly when: Evaluate | undefined;
  /** List-time `when`, three-valued; undefined when the rule has none. */
  readonly whenAtList: Evaluate | undefined;
  /** The decision this rule gives when it decides. */
  readonly decision: Decision;
  /** The decision when its `when` throws: refused, naming the rule. */
  readonly failure: Decision;
}

const ACTIONS_BY_DEFAULT = ["list", "call"] as const;

/**
 * Compiles a policy. Throws, naming the rule, when a `when` uses an unknown operator or a
 * malformed operation. At call time an error thrown by a rule's `when` (e.g. `in` over an
 * argument shaped to break it) refuses the call: a policy fails closed.
 */
export function compilePolicies(spec: PolicySpec): PolicyEngine {
  const rules = spec.rules.map(compileRule);
  const isShadow = (i: number) => spec.rules[i]!.mode === "shadow";
  const forAction = (action: "list" | "call", shadow: boolean) =>
    rules.filter((_, i) => isShadow(i) === shadow && (spec.rules[i]!.actions ?? ACTIONS_BY_DEFAULT).includes(action));
  // Shadow rules never decide and never hide: they are kept apart from the decision loops.
  const callRules = forAction("call", false);
  const listRules = forAction("list", false);
  const shadowRules = forAction("call", true);
  const shadowDefault = spec.shadowDefault !== undefined && spec.shadowDefault !== spec.default ? spec.shadowDefault : undefined;
  const NO_EFFECT: readonly ShadowEffect[] = Object.freeze([]);
  const defaultAllows = spec.default === "allow";
  const byDefault: Decision = Object.freeze({ allowed: defaultAllows, rule: "default" });

  const decide = (data: PolicyData): Decision => {
    let allowedBy: Decision | undefined;
    let i = 0;
    try {
      for (; i < callRules.length; i++) {
        const rule = callRules[i]!;
        // Once an allow applies, only a deny can change the answer.
        if (allowedBy !== undefined && !rule.deny) continue;
        if (!rule.matches(data)) continue;
        if (rule.when !== undefined && !truthy(rule.when(data))) continue;
        if (rule.deny) return rule.decision;
        allowedBy = rule.decision;
      }
    } catch {
      return callRules[i]!.failure;
    }
    return allowedBy ?? byDefault;
  };

  const visible = (data: ListData): boolean => {
    let listed = defaultAllows;
    for (let i = 0; i < listRules.length; i++) {
      const rule = listRules[i]!;
      if (listed && !rule.deny) continue;
      if (!rule.matches(data)) continue;
      const known = rule.whenAtList === undefined ? true : truthiness(rule.whenAtList(data));
      // A deny hides only what it certainly applies to; an allow lists what it may apply to.
      if (rule.deny) {
        if (known === true) return false;
      } else if (known !== false) listed = true;
    }
    return listed;
  };

  const shadow = (data: PolicyData, decision: Decision): readonly ShadowEffect[] => {
    if (shadowRules.length === 0 && shadowDefault === undefined) return NO_EFFECT;
    const effects: ShadowEffect[] = [];
    let applied = false;
    for (const rule of shadowRules) {
      let deny = rule.deny;
      try {
        if (!rule.matches(data) || (rule.when !== undefined && !truthy(rule.when(data)))) continue;
      } catch {
        deny = true;
      }
      applied = true;
      // Only what enforcing it would change: a deny over an allow, an allow over the default's refusal.
      if (deny ? decision.allowed : !decision.allowed && decision.rule === "default") effects.push({ rule: rule.name, effect: deny ? "deny" : "allow" });
    }
    if (shadowDefault !== undefined && !applied && decision.rule === "default") effects.push({ rule: "default", effect: shadowDefault });
    return effects;
  };

  const explain = (data: PolicyData) => ({
    decision: decide(data),
    rules: rules.filter((r) => callRules.includes(r) || shadowRules.includes(r)).map((rule): RuleExplanation => {
      const base = { name: rule.name, effect: rule.effect, ...(shadowRules.includes(rule) ? { shadow: true as const } : {}) };
      if (!rule.matches(data)) return { ...base, matched: false };
      try {
        return { ...base, matched: true, result: rule.when === undefined ? true : rule.when(data) };
      } catch (error) {
        return { ...base, matched: true, error: error instanceof Error ? error.message : String(error) };
      }
    }),
  });

  const reads = spec.rules.map(ruleReads);
  return {
    decide,
    visible,
    explain,
    hasShadow: shadowRules.length > 0 || shadowDefault !== undefined,
    shadow,
    claimsRead: Object.freeze([...new Set(reads.flatMap((r) => r.claims))].sort()),
    readsAllClaims: reads.some((r) => r.allClaims),
    reads: Object.freeze({
      arguments: reads.some((r) => r.arguments),
      time: reads.some((r) => r.time),
      session: reads.some((r) => r.session),
    }),
  };
}

function compileRule(spec: PolicyRuleSpec): CompiledRule {
  const hasWhen = spec.when !== undefined;
  try {
    return {
      name: spec.name,
      effect: spec.effect,
      deny: spec.effect === "deny",
      matches: compileMatch(spec.match),
      when: hasWhen ? compileLogic(spec.when) : undefined,
      whenAtList: hasWhen ? compileListTime(spec.when) : undefined,
      decision: Object.freeze({ allowed: spec.effect === "allow", rule: spec.name }),
      failure: Object.freeze({ allowed: false, rule: spec.name, error: true as const }),
    };
  } catch (error) {
    throw new Error(`policy rule "${spec.name}": ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}
