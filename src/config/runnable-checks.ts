import { statSync } from "node:fs";
import { type ConfigIssue, joinPath, sortIssues } from "./config-issue.js";
import { programProblem } from "./resolve-command.js";
import type { ResolvedConfig } from "./resolved-types.js";
import { unenforcedIssues } from "./unenforced.js";
import { ruleReads } from "../policy/index.js";

/** What `validate` adds to a valid config: what `start` would refuse, and what it could not run. */
export interface RunnableReport {
  /** Sections `start` refuses: errors, because no machine could run this config. */
  readonly errors: ConfigIssue[];
  /**
   * Backend programs missing on this machine: warnings, because a CI machine rarely has them
   * while the production host does (`--strict` makes them errors).
   */
  readonly warnings: ConfigIssue[];
}

export function checkRunnable(config: ResolvedConfig, env: Readonly<Record<string, string | undefined>>): RunnableReport {
  const warnings: ConfigIssue[] = [];
  for (const backend of Object.values(config.backends)) {
    if (backend.transport !== "stdio" || !backend.enabled) continue;
    // The child is spawned with its own environment; a PATH set there is the one searched.
    const ownPath = backend.env.PATH;
    const problem = programProblem(backend.command, typeof ownPath === "string" ? ownPath : env.PATH);
    const path = joinPath("backends", backend.name);
    if (problem) warnings.push({ path: joinPath(path, "command"), message: problem });
    // A missing working folder fails the spawn just as a missing program does.
    if (!isDirectory(backend.cwd)) warnings.push({ path: joinPath(path, "cwd"), message: `folder ${backend.cwd} does not exist` });
  }
  warnings.push(...sessionlessRuleWarnings(config));
  return { errors: sortIssues(unenforcedIssues(config)), warnings: sortIssues(warnings) };
}

/**
 * Every binding serves 2026-07-28 clients beside legacy ones, and a modern request has no
 * session: a rule reading `session.*` sees an empty `labelsSeen` for them (a toxic-flow rule
 * never fires) and a session id that stands for the caller's identity. Said once per rule.
 */
function sessionlessRuleWarnings(config: ResolvedConfig): ConfigIssue[] {
  if (!config.bindings.some((b) => b.modern !== false)) return [];
  return (config.policies?.rules ?? []).flatMap((rule, i) =>
    rule.when !== undefined && ruleReads({ name: rule.name, effect: "allow", when: rule.when }).session
      ? [{ path: `policies.rules[${i}].when`, message: "reads session.*, but a binding admits 2026-07-28 clients, which have no session: for them session.labelsSeen is always empty and the session stands for the caller's identity (give the bindings modern: false to serve legacy clients only)" }]
      : [],
  );
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
