import type { Identity } from "../../core/context.js";
import type { RuleExplanation } from "../../policy/index.js";
import { type CommandIo, EXIT, type ExitCode, UsageError } from "../io.js";
import { decideOffline } from "../policy/decide-request.js";
import { readJsonOption, toIdentity, toRequest } from "../policy/inputs.js";
import { snapshotSurface } from "../policy/surface-of.js";
import { openWorkspace } from "../policy/workspace.js";

export interface ExplainOptions {
  readonly configPath: string | undefined;
  readonly as: string | undefined;
  readonly request: string | undefined;
  readonly format: "text" | "json";
}

/** One rule in the explanation, with whether it is the one that decided. */
interface ExplainedRule extends RuleExplanation {
  readonly deciding: boolean;
}

/**
 * Decides one request offline and shows why: every call rule in config order, whether its
 * match held, what its `when` returned, and which rule decided. Needs no backend.
 */
export async function explainCommand(options: ExplainOptions, io: CommandIo): Promise<ExitCode> {
  if (options.as === undefined || options.request === undefined) throw new UsageError("explain needs --as IDENTITY and --request REQUEST (JSON files or inline JSON)");
  const ws = await openWorkspace(options.configPath, io);
  // --as may name an identity of the test cases, as surface --as does.
  const named = ws.cases?.identities.get(options.as);
  const identity = named ?? toIdentity(readJsonOption(options.as, "--as", io.cwd, `, or the name of an identity in the test cases (${[...(ws.cases?.identities.keys() ?? [])].join(", ") || "none"})`), "--as");
  const request = toRequest(readJsonOption(options.request, "--request", io.cwd), "--request");
  const result = decideOffline(ws, identity, request, snapshotSurface(ws));
  const item = result.items[0]!;
  const rules: ExplainedRule[] = result.rules.map((rule) => ({ ...rule, deciding: rule.name === result.rule }));
  if (options.format === "json") {
    // As the audit line has it: a hidden item is a deny without a rule, marked hidden.
    const doc = {
      decision: result.decision === "hidden" ? "deny" : result.decision,
      ...(result.decision === "hidden" ? { hidden: true } : {}),
      ...(result.rule === undefined ? {} : { rule: result.rule }),
      identity,
      request,
      target: { kind: item.kind, name: item.name, backend: item.backend, original: item.original, labels: item.labels, backendLabels: item.backendLabels },
      rules,
      ...(ws.engine ? {} : { note: "the config has no policies: every request is allowed" }),
    };
    io.out(`${JSON.stringify(doc, null, 2)}\n`);
    return EXIT.ok;
  }
  const lines = [
    `decision: ${result.decision === "hidden" ? `deny, hidden by ${result.rule === "default" ? "the policy default" : `rule "${result.rule}"`} (the caller's list decision hides the item: it gets the unknown-item answer)` : result.decision}${result.decision === "hidden" ? "" : result.rule === undefined ? " (no policies)" : result.rule === "default" ? " (policy default: no rule applies)" : ` (rule "${result.rule}")`}`,
    `request:  ${request.method} ${request.name ?? request.uri ?? ""} → ${item.kind} "${item.original}" of backend "${item.backend}"${item.labels.length + item.backendLabels.length ? `, labels: ${[...new Set([...item.backendLabels, ...item.labels])].join(", ")}` : ""}`,
    `identity: ${describeCaller(identity)}`,
  ];
  if (rules.length > 0) {
    lines.push("rules, in config order:");
    const width = Math.max(...rules.map((r) => r.name.length));
    for (const rule of rules) lines.push(`${rule.deciding ? "→" : " "} ${rule.effect.padEnd(5)} ${rule.name.padEnd(width)}  ${describeRule(rule)}${rule.deciding ? "  (decides)" : ""}`);
  }
  io.out(`${lines.join("\n")}\n`);
  return EXIT.ok;
}

/** Subject, issuer, roles and scopes: who the rules saw (a token is never part of an identity). */
function describeCaller(identity: Identity): string {
  const facts = [
    ...(identity.iss ? [`issuer: ${identity.iss}`] : []),
    ...(identity.roles.length ? [`roles: ${identity.roles.join(", ")}`] : []),
    ...(identity.scopes.length ? [`scopes: ${identity.scopes.join(" ")}`] : []),
  ];
  return `${identity.sub}${facts.length ? ` (${facts.join("; ")})` : ""}`;
}

function describeRule(rule: RuleExplanation): string {
  if (rule.shadow) return `(shadow, decides nothing) ${describeRule({ ...rule, shadow: undefined } as RuleExplanation)}`;
  if (!rule.matched) return "match: no";
  if (rule.error !== undefined) return `match: yes, when: threw (${rule.error})`;
  return `match: yes, when: ${JSON.stringify(rule.result) ?? "undefined"}`;
}
