import { dirname } from "node:path";
import { ConfigError, type ConfigIssue, sortIssues } from "./config-issue.js";
import { describeLoadFailure, readConfigFile } from "./load.js";
import { resolveConfig } from "./resolve.js";
import type { ResolvedConfig } from "./resolved-types.js";
import type { ProxyConfig } from "./schema/index.js";
import { checkSchema } from "./validate-schema.js";
import { checkSemantics } from "./semantic-checks.js";

export interface LoadConfigOptions {
  /** A file to load instead of searching the working directory. */
  readonly configPath?: string;
  readonly cwd?: string;
  /** Defaults to process.env; the one place secrets and `{ env }` functions read from. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Check secret references for shape only. */
  readonly skipSecrets?: boolean;
}

export interface LoadedConfig {
  readonly file: string;
  readonly config: ResolvedConfig;
  /** The config file and every local file it imported. */
  readonly dependencies: readonly string[];
  /** Whether the file itself has an `auth` section (a listener beyond loopback needs one, even `{ type: "none" }`). */
  readonly authDeclared: boolean;
  /** A module config's `tests` export: policy test cases (see `mcp-proxy test`), unchecked here. */
  readonly tests?: unknown;
}

/** Context handed to a config written as a function. */
export interface ConfigContext {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Absolute folder of the config file. */
  readonly configDir: string;
}

/**
 * file → raw → validated → resolved. Throws ConfigNotFoundError when nothing can be read
 * and ConfigError carrying every issue when the config is unusable.
 */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<LoadedConfig> {
  const env = options.env ?? process.env;
  const raw = await readConfigFile(options);
  const configDir = dirname(raw.file);
  let value: unknown = raw.exported;
  if (typeof value === "function") {
    try {
      value = await (value as (ctx: ConfigContext) => unknown)({ env, configDir });
    } catch (error) {
      throw new ConfigError(raw.file, [describeLoadFailure(error, raw.file)]);
    }
  }
  const result = validateConfig(value, { file: raw.file, configDir, env, skipSecrets: options.skipSecrets ?? false });
  if (!result.config) throw new ConfigError(raw.file, result.issues);
  const authDeclared = typeof value === "object" && value !== null && (value as { auth?: unknown }).auth !== undefined;
  return { file: raw.file, config: result.config, dependencies: raw.dependencies, authDeclared, ...(raw.tests === undefined ? {} : { tests: raw.tests }) };
}

/**
 * Validates and resolves a config value: the schema, the cross-section checks and the
 * secrets, all reported together. `config` is set only when there is no issue.
 */
export function validateConfig(
  value: unknown,
  options: { file?: string; configDir: string; env?: Readonly<Record<string, string | undefined>>; skipSecrets?: boolean },
): { config?: ResolvedConfig; issues: ConfigIssue[] } {
  const schemaIssues = checkSchema(value);
  const issues = [...schemaIssues, ...checkSemantics(value)];
  if (schemaIssues.length > 0) return { issues: sortIssues(issues) };
  const resolved = resolveConfig(value as ProxyConfig, {
    file: options.file,
    configDir: options.configDir,
    env: options.env ?? process.env,
    skipSecrets: options.skipSecrets ?? false,
  });
  issues.push(...resolved.issues);
  return issues.length > 0 ? { issues: sortIssues(issues) } : { config: resolved.config, issues: [] };
}
