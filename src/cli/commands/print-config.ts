import { ConfigError, loadConfig } from "../../config/index.js";
import { formatIssues } from "../format-issues.js";
import { type CommandIo, EXIT, type ExitCode } from "../io.js";

/** Prints the resolved config (defaults applied, paths absolute) with every secret masked. */
export async function printConfigCommand(options: { configPath: string | undefined; skipSecrets: boolean }, io: CommandIo): Promise<ExitCode> {
  try {
    const loaded = await loadConfig({ configPath: options.configPath, cwd: io.cwd, env: io.env, skipSecrets: options.skipSecrets });
    io.out(`${JSON.stringify(loaded.config, null, 2)}\n`);
    return EXIT.ok;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.err(formatIssues(error.file ?? "config", error.issues));
    return EXIT.invalid;
  }
}
