import { relative } from "node:path";
import { loginProblems } from "../../runtime/backend-login.js";
import { checkRunnable, ConfigError, sortIssues, ConfigNotFoundError, type ConfigIssue, loadConfig } from "../../config/index.js";
import { count, formatIssues, formatWarnings } from "../format-issues.js";
import { type CommandIo, EXIT, type ExitCode, UsageError } from "../io.js";

export interface ValidateOptions {
  readonly configPath: string | undefined;
  readonly format: "text" | "json";
  readonly skipSecrets: boolean;
  /** Warnings (a backend program missing here) count as errors. */
  readonly strict: boolean;
}

/** The document `validate --format json` prints; stable for CI tooling. */
export interface ValidationReport {
  readonly valid: boolean;
  readonly file: string | null;
  readonly errors: readonly ConfigIssue[];
  /** Problems of this machine rather than of the config; empty under `--strict`, which counts them as errors. */
  readonly warnings: readonly ConfigIssue[];
}

export function parseFormat(value: string | undefined): "text" | "json" {
  if (value === undefined || value === "text" || value === "json") return value ?? "text";
  throw new UsageError(`--format must be text or json (got ${JSON.stringify(value)})`);
}

/**
 * Loads, validates and resolves a config exactly as `start` does, then judges it as `start`
 * would: sections it refuses are errors, programs it could not spawn here are warnings.
 */
export async function validateCommand(options: ValidateOptions, io: CommandIo): Promise<ExitCode> {
  let report: ValidationReport;
  let notFound = false;
  let summary = "";
  try {
    const loaded = await loadConfig({ configPath: options.configPath, cwd: io.cwd, env: io.env, skipSecrets: options.skipSecrets });
    const checked = checkRunnable(loaded.config, io.env);
    // A missing login is this machine's problem, like a missing program: a warning (start refuses it).
    const logins = options.skipSecrets ? [] : loginProblems(loaded.config).map((p) => ({ path: `backends.${p.backend}.auth`, message: p.message }));
    const runnable = { errors: checked.errors, warnings: sortIssues([...checked.warnings, ...logins]) };
    const errors = options.strict ? sortIssues([...runnable.errors, ...runnable.warnings]) : runnable.errors;
    report = { valid: errors.length === 0, file: loaded.file, errors, warnings: options.strict ? [] : runnable.warnings };
    const { backends, bindings } = loaded.config;
    summary = ` (${count(Object.keys(backends).length, "backend")}, ${count(bindings.length, "binding")}${options.skipSecrets ? ", secrets not checked" : ""})`;
  } catch (error) {
    if (error instanceof ConfigError) {
      report = { valid: false, file: error.file ?? null, errors: error.issues, warnings: [] };
    } else if (error instanceof ConfigNotFoundError) {
      report = { valid: false, file: null, errors: [{ path: "", message: error.message }], warnings: [] };
      notFound = true;
    } else throw error;
  }
  const code = report.valid ? EXIT.ok : notFound ? EXIT.usage : EXIT.invalid;
  if (options.format === "json") {
    io.out(`${JSON.stringify(report, null, 2)}\n`);
    return code;
  }
  const name = report.file ? relative(io.cwd, report.file) || report.file : "config";
  if (code === EXIT.ok) {
    io.out(`${name}: valid${summary}${report.warnings.length ? `, ${count(report.warnings.length, "warning")}` : ""}\n`);
    io.err(formatWarnings(report.warnings));
  } else if (code === EXIT.usage) io.err(`mcp-proxy validate: ${report.errors[0]?.message}\n`);
  else io.err(formatIssues(name, report.errors, report.warnings));
  return code;
}
