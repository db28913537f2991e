import { type Pipeline, compile } from "../../compile/compile.js";
import { compileLabels, type LabelTable } from "../../compile/labels.js";
import { ConfigError, loadConfig, type ResolvedConfig } from "../../config/index.js";
import type { PolicyEngine } from "../../policy/index.js";
import { formatIssues } from "../format-issues.js";
import type { CommandIo } from "../io.js";
import { findCases, type PolicyCases } from "./cases.js";

/** A config loaded for the policy commands: compiled as the gateway compiles it, with its test cases. */
export interface PolicyWorkspace {
  readonly file: string;
  readonly config: ResolvedConfig;
  readonly pipeline: Pipeline;
  readonly labels: LabelTable;
  /** The compiled policies; a config without policies allows everything (as the gateway does). */
  readonly engine: PolicyEngine | undefined;
  readonly cases: PolicyCases | undefined;
}

/** Thrown when the config itself is invalid: the command prints the issues and exits 1. */
export class InvalidConfig extends Error {
  constructor(readonly report: string) {
    super(report);
  }
}

/**
 * Loads and compiles a config without starting anything. Secrets are checked for shape only:
 * a policy decision never reads one, and CI has no production secrets.
 */
export async function openWorkspace(configPath: string | undefined, io: CommandIo): Promise<PolicyWorkspace> {
  let loaded;
  try {
    loaded = await loadConfig({ configPath, cwd: io.cwd, env: io.env, skipSecrets: true });
  } catch (error) {
    if (error instanceof ConfigError) throw new InvalidConfig(formatIssues(error.file ?? "config", error.issues, []));
    throw error;
  }
  // Offline nobody authenticates, and the tokens (skipped secrets) cannot be read anyway.
  const pipeline = compile({ ...loaded.config, auth: { type: "none" } });
  return {
    file: loaded.file,
    config: loaded.config,
    pipeline,
    labels: compileLabels(loaded.config),
    engine: pipeline.policies,
    cases: findCases(loaded.file, loaded.tests),
  };
}
