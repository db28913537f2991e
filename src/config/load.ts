import { readFileSync, statSync } from "node:fs";
import { resolve as resolvePath } from "node:path";
import { cosmiconfig, defaultLoaders } from "cosmiconfig";
import { ConfigError, type ConfigIssue, ConfigNotFoundError } from "./config-issue.js";
import { loadConfigModule } from "./load-module.js";
import { ConfigSyntaxError, fromYamlException, parseJsonConfig } from "./syntax-error.js";

/** Where a config is looked for, in this order, in the working directory. */
export const SEARCH_PLACES = [
  "mcp-proxy.config.ts",
  "mcp-proxy.config.mts",
  "mcp-proxy.config.js",
  "mcp-proxy.config.mjs",
  "mcp-proxy.config.cjs",
  "mcp-proxy.config.json",
  "mcp-proxy.config.yaml",
  "mcp-proxy.config.yml",
  ".mcp-proxyrc",
  ".mcp-proxyrc.json",
  ".mcp-proxyrc.yaml",
  ".mcp-proxyrc.yml",
  ".mcp-proxyrc.ts",
  ".mcp-proxyrc.js",
  ".mcp-proxyrc.mjs",
  "package.json",
] as const;

export interface RawConfigFile {
  readonly file: string;
  /** What the file holds (for a module: its default export, maybe a function still to call). */
  readonly exported: unknown;
  readonly dependencies: readonly string[];
  /** A module config's `tests` export (policy test cases), if any. */
  readonly tests?: unknown;
}

/**
 * Finds and reads a config file without judging its content.
 * Throws ConfigNotFoundError when no file can be read (a usage problem) and
 * ConfigError when the file exists but cannot be parsed or evaluated (an invalid config).
 */
export async function readConfigFile(options: { configPath?: string; cwd?: string }): Promise<RawConfigFile> {
  const cwd = options.cwd ?? process.cwd();
  const dependencies: string[] = [];
  let tests: unknown;
  const moduleLoader = async (file: string) => {
    const loaded = await loadConfigModule(file);
    dependencies.push(...loaded.dependencies);
    tests = loaded.tests;
    return loaded.exported;
  };
  const explorer = cosmiconfig("mcp-proxy", {
    searchPlaces: [...SEARCH_PLACES],
    searchStrategy: "none",
    cache: false,
    loaders: { ...defaultLoaders, ".json": parseJsonConfig, ".ts": moduleLoader, ".mts": moduleLoader, ".js": moduleLoader, ".mjs": moduleLoader, ".cjs": moduleLoader },
  });
  const file = options.configPath === undefined ? undefined : resolvePath(cwd, options.configPath);
  if (file !== undefined) assertReadable(file);
  let result;
  try {
    result = file === undefined ? await explorer.search(cwd) : await explorer.load(file);
  } catch (error) {
    // While searching, only the parser knows which file it was reading.
    const syntax = error instanceof Error ? (error instanceof ConfigSyntaxError ? error : fromYamlException(error)) : undefined;
    throw new ConfigError(file ?? syntax?.file, [describeLoadFailure(error, file ?? syntax?.file)]);
  }
  if (!result) {
    throw new ConfigNotFoundError(`no config found in ${cwd} (looked for ${SEARCH_PLACES.join(", ")}); pass --config PATH`);
  }
  if (result.isEmpty) throw new ConfigError(result.filepath, [{ path: "", message: "the config file is empty" }]);
  return { file: result.filepath, exported: result.config, dependencies: dependencies.length ? dependencies : [result.filepath], ...(tests === undefined ? {} : { tests }) };
}

function assertReadable(file: string): void {
  try {
    if (!statSync(file).isFile()) throw new ConfigNotFoundError(`config path ${file} is not a file`);
    readFileSync(file, { flag: "r" }).subarray(0, 0);
  } catch (error) {
    if (error instanceof ConfigNotFoundError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigNotFoundError(code === "ENOENT" ? `config file ${file} does not exist` : `config file ${file} cannot be read (${code ?? "error"})`);
  }
}

/** A parse error or a throwing module, described with the file and line it came from. */
export function describeLoadFailure(error: unknown, file: string | undefined): ConfigIssue {
  const err = error instanceof Error ? error : new Error(String(error));
  const syntax = err instanceof ConfigSyntaxError ? err : fromYamlException(err);
  if (syntax) return { path: "", message: `config cannot be parsed: ${syntax.reason} (at ${file ?? syntax.file ?? "config"}:${syntax.line}:${syntax.column})` };
  const where = locate(err, file);
  const what = err.name === "YAMLException" || err.name === "JSONError" ? "cannot be parsed" : "threw while loading";
  // Parsers put the reason on the second line and a code excerpt after a blank line.
  const message = (err.message.split("\n\n")[0] ?? "").replace(/\s*\n\s*/g, " ");
  return { path: "", message: `config ${what}: ${err.name === "Error" ? "" : `${err.name}: `}${message}${where ? ` (at ${where})` : ""}` };
}

/** The first stack frame outside node_modules and Node's internals: the user's own line. */
function locate(error: Error, file: string | undefined): string | undefined {
  for (const line of (error.stack ?? "").split("\n").slice(1)) {
    const match = /\(?((?:file:\/\/)?\/[^():]+):(\d+):(\d+)\)?\s*$/.exec(line.trim());
    if (!match) continue;
    const location = match[1]!.replace(/^file:\/\//, "");
    if (location.includes("/node_modules/") || location.startsWith("node:")) continue;
    return `${location}:${match[2]}:${match[3]}`;
  }
  return file && error.name === "YAMLException" ? file : undefined;
}
