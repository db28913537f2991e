/**
 * Decisions over partly known data, for replaying audit lines under another policy: what the
 * line did not record (argument values, claims no policy read) is unknown, and each rule's
 * `when` is evaluated three-valued (see three-valued.ts). The answer is a decision only when
 * every way the unknowns could be gives the same one; otherwise it is undecided, never guessed.
 */
import { readsCallTimeData } from "./data-paths.js";
import { compileMatch, type Matcher } from "./match.js";
import { compileListTime, truthiness, type UnknownPath } from "./three-valued.js";
import type { ListData, PolicyData, PolicySpec } from "./types.js";

/** A decision over partly known data. */
export interface PartialDecision {
  /** undefined: it depends on data that is not known. */
  readonly allowed: boolean | undefined;
  /** The deciding rule ("default"), when the decision is known; for a hidden item, the deny that hides it or "default". */
  readonly rule?: string;
  /** Refused because the list decision hides the item. */
  readonly hidden?: true;
  /** When undecided: the rules whose condition could not be known. */
  readonly unknownRules?: readonly string[];
}

/** What is known about the data of one decision, as a key (rules are compiled once per shape) and a test. */
export interface KnownData {
  readonly key: string;
  readonly unknown: UnknownPath;
}

const BOTH = ["list", "call"] as const;

interface PartialRule {
  readonly name: string;
  readonly deny: boolean;
  readonly call: boolean;
  readonly list: boolean;
  readonly matches: Matcher;
  readonly when: unknown;
}

/**
 * Compiles the enforced rules of a policy for partial decisions. Shadow rules decide nothing and
 * are left out. The conditions are compiled per shape of known data and kept.
 */
export function compilePartialDecisions(spec: PolicySpec): (data: PolicyData, known: KnownData) => PartialDecision {
  const rules: PartialRule[] = spec.rules
    .filter((r) => r.mode !== "shadow")
    .map((r) => ({ name: r.name, deny: r.effect === "deny", call: (r.actions ?? BOTH).includes("call"), list: (r.actions ?? BOTH).includes("list"), matches: compileMatch(r.match), when: r.when }));
  const defaultAllows = spec.default === "allow";
  const compiled = new Map<string, { call: Array<(d: unknown) => unknown>; list: Array<(d: unknown) => unknown> }>();
  const forShape = (known: KnownData) => {
    let forms = compiled.get(known.key);
    if (!forms) {
      const always = () => true;
      // At list time the call-time data is unknown too, as the gateway has it.
      const atList: UnknownPath = (name) => readsCallTimeData(name) || known.unknown(name);
      forms = {
        call: rules.map((r) => (r.when === undefined ? always : compileListTime(r.when, known.unknown))),
        list: rules.map((r) => (r.when === undefined ? always : compileListTime(r.when, atList))),
      };
      compiled.set(known.key, forms);
    }
    return forms;
  };

  return (data, known) => {
    const forms = forShape(known);
    // Listing first: an item the caller could not list is refused as unknown. The list decision
    // leans to "listed" on what it cannot know, so a "hidden" here is certain.
    let listed = defaultAllows;
    const listData: ListData = { identity: data.identity, request: { method: data.request.method, ...(data.request.name === undefined ? {} : { name: data.request.name }), ...(data.request.uri === undefined ? {} : { uri: data.request.uri }) }, target: data.target, backend: data.backend };
    for (let i = 0; i < rules.length; i++) {
      const rule = rules[i]!;
      if (!rule.list || !rule.matches(listData)) continue;
      const result = truthiness(forms.list[i]!(listData));
      if (rule.deny && result === true) return { allowed: false, rule: rule.name, hidden: true };
      if (!rule.deny && result !== false) listed = true;
    }
    if (!listed) return { allowed: false, rule: "default", hidden: true };

    let deny: string | undefined;
    let allow: string | undefined;
    const unknownDeny: string[] = [];
    const unknownAllow: string[] = [];
    for (let i = 0; i < rules.length; i++) {
      const rule = rules[i]!;
      if (!rule.call || !rule.matches(data)) continue;
      const result = truthiness(forms.call[i]!(data));
      if (result === undefined) (rule.deny ? unknownDeny : unknownAllow).push(rule.name);
      else if (result) {
        if (rule.deny) deny ??= rule.name;
        else allow ??= rule.name;
      }
    }
    if (deny !== undefined) return { allowed: false, rule: deny };
    // With no deny applying: allowed by a rule, else by the default, unless an unknown allow might apply.
    const withoutDeny: PartialDecision =
      allow !== undefined ? { allowed: true, rule: allow } : unknownAllow.length === 0 || defaultAllows ? { allowed: defaultAllows, rule: "default" } : { allowed: undefined, unknownRules: unknownAllow };
    if (unknownDeny.length === 0) return withoutDeny;
    return withoutDeny.allowed === false ? withoutDeny : { allowed: undefined, unknownRules: [...unknownDeny, ...(withoutDeny.unknownRules ?? [])] };
  };
}
