import { readFileSync } from "node:fs";
import { relative, resolve } from "node:path";
import { count } from "../format-issues.js";
import { type CommandIo, EXIT, type ExitCode, UsageError } from "../io.js";
import { type ReplayedLine, replayLines } from "../policy/replay-lines.js";
import { openWorkspace } from "../policy/workspace.js";

export interface ReplayOptions {
  readonly positionals: readonly string[];
  readonly configPath: string | undefined;
  readonly format: "text" | "json";
}

/** Flips of one direction and rule, by identity: how a reviewer reads them. */
interface FlipGroup {
  readonly from: "allow" | "deny";
  readonly to: "allow" | "deny";
  /** The rule that decides under the other config, or "default". */
  readonly rule: string;
  /** The item is hidden from the caller under the other config (the rule hides it). */
  readonly hidden: boolean;
  readonly identities: Array<{ readonly identity: string; readonly requests: ReplayedLine[] }>;
}

/**
 * Re-decides every request of an audit file under another config and reports the decisions
 * that would flip, grouped by rule and identity, and those that cannot be known from the line.
 * Exit 1 when something flips, so CI can hold back a policy change that locks someone out.
 */
export async function replayCommand(options: ReplayOptions, io: CommandIo): Promise<ExitCode> {
  const [file, extra] = options.positionals;
  if (file === undefined) throw new UsageError("replay needs an audit file: mcp-proxy replay AUDIT_FILE --config NEXT");
  if (extra !== undefined) throw new UsageError(`replay takes one audit file (got also "${extra}")`);
  if (options.configPath === undefined) throw new UsageError("replay needs --config NEXT: the config to re-decide the recorded requests under");
  let text: string;
  try {
    text = readFileSync(resolve(io.cwd, file), "utf8");
  } catch (error) {
    throw new UsageError(`audit file ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? "error"})`);
  }
  const ws = await openWorkspace(options.configPath, io);
  const { replayed, skipped } = replayLines(ws, text);
  const flips = replayed.filter((r) => r.next.decision !== "undecidable" && r.next.decision !== r.recorded.decision);
  const undecidable = replayed.filter((r) => r.next.decision === "undecidable");
  const groups = groupFlips(flips);
  const code = flips.length > 0 ? EXIT.invalid : EXIT.ok;
  if (options.format === "json") {
    const doc = {
      file: resolve(io.cwd, file),
      config: ws.file,
      requests: replayed.length,
      unchanged: replayed.length - flips.length - undecidable.length,
      flipped: flips.length,
      skipped,
      flips: groups,
      undecidable,
    };
    io.out(`${JSON.stringify(doc, null, 2)}\n`);
    return code;
  }
  const lines = [
    `${file} under ${relative(io.cwd, ws.file) || ws.file}: ${count(replayed.length, "request")} re-decided, ${flips.length} would flip, ${undecidable.length} undecidable${skipped ? ` (${count(skipped, "other line")} skipped)` : ""}`,
  ];
  for (const group of groups) {
    lines.push(`${group.from} → ${group.to} by ${group.rule === "default" ? "the policy default" : `rule "${group.rule}"`}${group.hidden ? ", hidden (the caller can no longer list the item)" : ""}:`);
    for (const { identity, requests } of group.identities) {
      lines.push(`  ${identity}: ${count(requests.length, "request")}`);
      for (const r of requests) lines.push(`    line ${r.line}: ${r.method} ${r.target}${r.time ? ` at ${r.time}` : ""}${r.recorded.rule ? ` (was ${r.recorded.decision} by ${r.recorded.rule})` : ""}`);
    }
  }
  if (undecidable.length > 0) {
    lines.push("undecidable (the line did not record what the decision depends on):");
    for (const r of undecidable) {
      lines.push(`  line ${r.line}: ${r.method} ${r.target} as ${r.identity}: rule ${(r.next.unknownRules ?? []).map((n) => `"${n}"`).join(", ")} reads ${(r.next.unknown ?? []).join("; ") || "unrecorded data"}`);
    }
  }
  io.out(`${lines.join("\n")}\n`);
  return code;
}

function groupFlips(flips: readonly ReplayedLine[]): FlipGroup[] {
  const groups = new Map<string, FlipGroup>();
  for (const r of flips) {
    const to = r.next.decision as "allow" | "deny";
    const rule = r.next.rule ?? "default";
    const hidden = r.next.hidden === true;
    const key = `${r.recorded.decision}\u0000${to}\u0000${rule}\u0000${hidden}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { from: r.recorded.decision, to, rule, hidden, identities: [] }));
    let byIdentity = group.identities.find((i) => i.identity === r.identity);
    if (!byIdentity) group.identities.push((byIdentity = { identity: r.identity, requests: [] }));
    byIdentity.requests.push(r);
  }
  return [...groups.values()];
}
