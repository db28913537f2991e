import { relative } from "node:path";
import { ConfigError, ConfigNotFoundError, type ConfigIssue, loadConfig } from "../../config/index.js";
import { formatIssues } from "../format-issues.js";
import { type CommandIo, EXIT, type ExitCode, UsageError } from "../io.js";

export interface ValidateOptions {
  readonly configPath: string | undefined;
  readonly format: "text" | "json";
  readonly skipSecrets: boolean;
}

/** The document `validate --format json` prints; stable for CI tooling. */
export interface ValidationReport {
  readonly valid: boolean;
  readonly file: string | null;
  readonly errors: readonly ConfigIssue[];
}

export function parseFormat(value: string | undefined): "text" | "json" {
  if (value === undefined || value === "text" || value === "json") return value ?? "text";
  throw new UsageError(`--format must be text or json (got ${JSON.stringify(value)})`);
}

/** Loads, validates and resolves a config exactly as `start` does, and reports the outcome. */
export async function validateCommand(options: ValidateOptions, io: CommandIo): Promise<ExitCode> {
  let report: ValidationReport;
  let code: ExitCode;
  let summary = "";
  try {
    const loaded = await loadConfig({ configPath: options.configPath, cwd: io.cwd, env: io.env, skipSecrets: options.skipSecrets });
    report = { valid: true, file: loaded.file, errors: [] };
    code = EXIT.ok;
    const backends = Object.keys(loaded.config.backends).length;
    summary = ` (${backends} backend${backends === 1 ? "" : "s"}, ${loaded.config.bindings.length} binding${loaded.config.bindings.length === 1 ? "" : "s"}${options.skipSecrets ? ", secrets not checked" : ""})`;
  } catch (error) {
    if (error instanceof ConfigError) {
      report = { valid: false, file: error.file ?? null, errors: error.issues };
      code = EXIT.invalid;
    } else if (error instanceof ConfigNotFoundError) {
      report = { valid: false, file: null, errors: [{ path: "", message: error.message }] };
      code = EXIT.usage;
    } else throw error;
  }
  if (options.format === "json") {
    io.out(`${JSON.stringify(report, null, 2)}\n`);
    return code;
  }
  const name = report.file ? relative(io.cwd, report.file) || report.file : "config";
  if (code === EXIT.ok) io.out(`${name}: valid${summary}\n`);
  else if (code === EXIT.usage) io.err(`mcp-proxy validate: ${report.errors[0]?.message}\n`);
  else io.err(formatIssues(name, report.errors));
  return code;
}
