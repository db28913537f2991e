import type { ConfigIssue } from "../config/index.js";

/** One indented `path: message` line per issue, as read in a CI log; warnings after errors, marked. */
export function formatIssues(header: string, issues: readonly ConfigIssue[], warnings: readonly ConfigIssue[] = []): string {
  const lines = [...issues.map((issue) => line(issue, "")), ...warnings.map((issue) => line(issue, "warning: "))];
  return `${header}: invalid, ${count(issues.length, "error")}${warnings.length ? `, ${count(warnings.length, "warning")}` : ""}\n${lines.join("\n")}\n`;
}

/** The warnings of a config that is valid: `  path: warning: message` lines. */
export function formatWarnings(warnings: readonly ConfigIssue[]): string {
  return warnings.map((issue) => `${line(issue, "warning: ")}\n`).join("");
}

export function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

function line(issue: ConfigIssue, mark: string): string {
  return `  ${issue.path || "(config)"}: ${mark}${issue.message}`;
}
