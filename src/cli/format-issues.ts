import type { ConfigIssue } from "../config/index.js";

/** One indented `path: message` line per issue, as read in a CI log. */
export function formatIssues(header: string, issues: readonly ConfigIssue[]): string {
  const count = issues.length;
  const lines = issues.map((issue) => `  ${issue.path || "(config)"}: ${issue.message}`);
  return `${header}: invalid, ${count} error${count === 1 ? "" : "s"}\n${lines.join("\n")}\n`;
}
