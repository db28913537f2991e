import { ConfigError, loadConfig, type LoadConfigOptions, type LoadedConfig } from "../config/index.js";
import { formatIssues } from "./format-issues.js";
import type { CommandIo } from "./io.js";

/**
 * Loads the config a command runs on; an invalid one is reported on stderr with every issue
 * and its path, and undefined comes back (the command then exits EXIT.invalid).
 */
export async function loadConfigOrReport(options: Pick<LoadConfigOptions, "configPath" | "skipSecrets">, io: CommandIo): Promise<LoadedConfig | undefined> {
  try {
    return await loadConfig({ ...options, cwd: io.cwd, env: io.env });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.err(formatIssues(error.file ?? "config", error.issues));
    return undefined;
  }
}
