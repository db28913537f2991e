import { type ResolvedConfig, unenforcedSections } from "../../config/index.js";
import { loadConfigOrReport } from "../load-or-report.js";
import { type CommandIo, EXIT, type ExitCode } from "../io.js";

/**
 * The resolved config without the defaults of features a reader could mistake for settings
 * (auth, policies, filters, the audit trail): printing their defaults would promise what the
 * config does not ask for. A section the config does set stays.
 */
function printable(config: ResolvedConfig): Record<string, unknown> {
  const set = new Set(unenforcedSections(config).map((gap) => gap.path));
  const unbuilt = new Set(["auth", "policies", "filters", "audit"]);
  // An auth the config chooses is enforced and shown (secrets masked); only the implicit `none` is left out.
  const keep = (path: string) => !unbuilt.has(path) || set.has(path) || (path === "auth" && config.auth.type !== "none");
  const pick = (value: object, prefix: string) => Object.fromEntries(Object.entries(value).filter(([key]) => keep(`${prefix}${key}`)));
  return { ...pick(config, ""), limits: pick(config.limits, "limits.") };
}

/** Prints the resolved config (defaults applied, paths absolute) with every secret masked. */
export async function printConfigCommand(options: { configPath: string | undefined; skipSecrets: boolean }, io: CommandIo): Promise<ExitCode> {
  const loaded = await loadConfigOrReport({ configPath: options.configPath, skipSecrets: options.skipSecrets }, io);
  if (!loaded) return EXIT.invalid;
  io.out(`${JSON.stringify(printable(loaded.config), null, 2)}\n`);
  return EXIT.ok;
}
