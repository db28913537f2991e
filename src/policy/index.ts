/**
 * The policy engine: who may list and call which MCP items, with rules in JSON-Logic compiled
 * once per config. See policy-engine.ts for the decisions and three-valued.ts for list time.
 */
export { compilePolicies } from "./policy-engine.js";
export { compileLogic } from "./json-logic.js";
export { POLICY_OPERATORS, SCOPED_OPERATORS, truthy } from "./operators.js";
export { ruleReads, varsRead, type RuleReads, type VarsRead } from "./vars-read.js";
export { compileMatch, type MatchData, type Matcher } from "./match.js";
export { compileNameGlobs, type NameTest } from "./name-globs.js";
export { compileListTime, isUnknown, truthiness, UNKNOWN, UNKNOWN_FALSY, UNKNOWN_TRUTHY, type UnknownPath } from "./three-valued.js";
export { CALL_TIME_ONLY } from "./data-paths.js";
export type {
  Decision,
  ItemKind,
  ListData,
  MatchSpec,
  PolicyData,
  PolicyEngine,
  PolicyReads,
  PolicyRuleSpec,
  PolicySpec,
  RuleExplanation,
  ShadowEffect,
} from "./types.js";
export { compilePartialDecisions, type KnownData, type PartialDecision } from "./partial-decision.js";
