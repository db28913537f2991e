import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { ConfigNotFoundError, renderJsonSchema } from "../config/index.js";
import { auditCommand } from "./commands/audit-verify.js";
import { loginCommand } from "./commands/login.js";
import { printConfigCommand } from "./commands/print-config.js";
import { replayCommand } from "./commands/replay.js";
import { explainCommand } from "./commands/explain.js";
import { startCommand } from "./commands/start.js";
import { surfaceCommand } from "./commands/surface.js";
import { testCommand } from "./commands/test-policies.js";
import { parseFormat, validateCommand } from "./commands/validate.js";
import { type CommandIo, EXIT, type ExitCode, UsageError } from "./io.js";
import { POLICY_HELP } from "./policy-help.js";
import { InvalidConfig } from "./policy/workspace.js";

const VERSION = (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version;

const HELP: Record<string, string> = {
  "": `mcp-proxy ${VERSION}: a declarative MCP gateway

Usage: mcp-proxy <command> [options]

Commands:
  start          run the gateway (default config: ./mcp-proxy.config.ts)
  validate       check a config (exit 0 valid, 1 invalid, 2 usage error or unreadable file)
  print-config   print the resolved config, secrets masked
  schema         print the config's JSON Schema
  audit verify   check an audit file's hash chain (exit 0 intact, 1 broken, 2 usage error)
  explain        decide one request offline and show every rule's part in it
  test           run the policy test cases kept beside the config (exit 0 pass, 1 fail)
  surface        what a caller sees (--as), recorded listings (--write-snapshot), a config
                 change per caller (--diff OTHER_CONFIG)
  replay         re-decide an audit file's requests under another config (exit 1 on flips)
  login BACKEND  authorize the gateway at a backend that requires OAuth (prints a URL to open)

Options everywhere:
  -h, --help     show help for a command
  -v, --version  print the version
`,
  validate: `Usage: mcp-proxy validate [--config PATH] [--format text|json] [--skip-secrets] [--strict]

Loads the config the way the proxy does and reports every problem at once, each with its path.
Sections this version does not enforce (which start refuses) are errors; a stdio backend's
program or working folder missing on this machine is a warning.
  -c, --config PATH   config file (default: search the working directory)
  -f, --format FMT    text (default) or json: { "valid", "file", "errors", "warnings" },
                      each issue { "path", "message" }
      --skip-secrets  check secret references for shape only (for CI without production secrets)
      --strict        count warnings as errors
Exit: 0 valid, 1 invalid, 2 usage error or missing/unreadable file.
`,
  start: `Usage: mcp-proxy start [--config PATH] [--port N] [--host HOST]

Runs the gateway: connects the backends, serves every binding and prints one line per URL.
  -c, --config PATH   config file (default: search the working directory)
  -p, --port N        listen on port N instead of the first HTTP binding's port (0: any free port)
      --host HOST     listen on HOST instead of the first HTTP binding's host
With a stdio binding, stdout carries only the protocol and everything else goes to stderr.
When the stdio client leaves, the gateway stops if stdio was its only binding; otherwise the
other bindings keep serving.
The config file, the files it imports and its secret files are watched: a change is applied
without dropping clients (reload section); SIGHUP reloads too. A config that fails changes
nothing and is logged with its paths.
SIGINT or SIGTERM stops gracefully: new sessions are refused, requests under way finish within
limits.shutdownGraceMs, then backends close (no child process is left behind), the audit log
is flushed, and the exit code is 0.
`,
  "print-config": `Usage: mcp-proxy print-config [--config PATH] [--skip-secrets]

Prints the resolved config as JSON: defaults applied, relative paths made absolute, bare backend
commands resolved, secrets masked. Features this version does not have yet (auth,
policies, filters, rate limits, the audit trail) are left out unless the config sets them.
`,
  audit: `Usage: mcp-proxy audit verify FILE

Checks the hash chain of an audit file written with audit.chain: re-reads it line by line,
recomputes every hash and link, and names the first broken line (not JSON, missing hash, hash
mismatch: content edited, broken link: a line deleted, inserted or reordered).
A file that starts where a rotated one ended says "continues from <hash>": verify FILE.1 too.
Exit: 0 chain intact, 1 broken (the line is printed), 2 usage error or unreadable file.
`,
  login: `Usage: mcp-proxy login BACKEND [--config PATH] [--wait SECONDS]

For a backend with auth: { type: "oauth" } (an MCP server that requires OAuth itself): discovers
its authorization server, registers the gateway as a client, prints the authorization URL to open
in a browser (nothing is opened for you) and waits for the redirect to a listener on 127.0.0.1.
The tokens are stored encrypted (AES-256-GCM) in the state folder (state.dir, default .mcp-proxy
beside the config) and refreshed by the gateway when they expire.
  -c, --config PATH   config file (default: search the working directory)
      --wait SECONDS  how long to wait for the browser (default 300)
Exit: 0 logged in, 1 invalid config or the login failed, 2 usage error.
`,
  ...POLICY_HELP,
  schema: `Usage: mcp-proxy schema

Prints the JSON Schema (draft 2020-12) of the config, for editors and CI.
`,
};

const OPTIONS = {
  config: { type: "string", short: "c" },
  port: { type: "string", short: "p" },
  host: { type: "string" },
  format: { type: "string", short: "f" },
  "skip-secrets": { type: "boolean" },
  strict: { type: "boolean" },
  as: { type: "string" },
  request: { type: "string" },
  snapshot: { type: "string" },
  live: { type: "boolean" },
  "write-snapshot": { type: "string" },
  diff: { type: "string" },
  wait: { type: "string" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "v" },
} as const;

const ACCEPTS: Record<string, ReadonlyArray<keyof typeof OPTIONS>> = {
  start: ["config", "port", "host"],
  validate: ["config", "format", "skip-secrets", "strict"],
  "print-config": ["config", "skip-secrets"],
  schema: [],
  audit: [],
  explain: ["config", "as", "request", "format"],
  test: ["config", "format", "snapshot", "live"],
  replay: ["config", "format"],
  surface: ["config", "as", "format", "snapshot", "live", "write-snapshot", "diff"],
  login: ["config", "wait"],
};

/** Runs one CLI invocation and returns its exit code; never exits the process itself. */
export async function runCli(argv: readonly string[], io: CommandIo): Promise<ExitCode> {
  try {
    return await dispatch(argv, io);
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigNotFoundError) {
      io.err(`mcp-proxy: ${error.message}\n`);
      return EXIT.usage;
    }
    if (error instanceof InvalidConfig) {
      io.err(error.report);
      return EXIT.invalid;
    }
    throw error;
  }
}

async function dispatch(argv: readonly string[], io: CommandIo): Promise<ExitCode> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(describeParseError(error as Error & { code?: string }, argv));
  }
  const { values, positionals } = parsed;
  const command = positionals[0] ?? "";
  if (values.version) {
    io.out(`${VERSION}\n`);
    return EXIT.ok;
  }
  if (values.help || command === "help") {
    io.out(HELP[command === "help" ? (positionals[1] ?? "") : command] ?? HELP[""]!);
    return EXIT.ok;
  }
  if (command === "") {
    io.err(HELP[""]!);
    return EXIT.usage;
  }
  const accepted = ACCEPTS[command];
  if (!accepted) throw new UsageError(`unknown command "${command}"\nRun mcp-proxy --help for the list of commands.`);
  if (positionals.length > 1 && command !== "audit" && command !== "replay" && command !== "login") throw new UsageError(`${command} takes no positional argument (got "${positionals[1]}")`);
  for (const key of Object.keys(values)) {
    if (!accepted.includes(key as keyof typeof OPTIONS) && key !== "help" && key !== "version") {
      throw new UsageError(`${command} does not take --${key}`);
    }
  }
  switch (command) {
    case "validate":
      return validateCommand({ configPath: values.config, format: parseFormat(values.format), skipSecrets: values["skip-secrets"] ?? false, strict: values.strict ?? false }, io);
    case "start":
      return startCommand({ configPath: values.config, port: parsePort(values.port), host: values.host, version: VERSION, stopSignal: io.stopSignal ?? new Promise<string>(() => undefined) }, io);
    case "print-config":
      return printConfigCommand({ configPath: values.config, skipSecrets: values["skip-secrets"] ?? false }, io);
    case "audit":
      return auditCommand(positionals.slice(1), io);
    case "replay":
      return replayCommand({ positionals: positionals.slice(1), configPath: values.config, format: parseFormat(values.format) }, io);
    case "test":
      return testCommand({ configPath: values.config, format: parseFormat(values.format), snapshot: values.snapshot, live: values.live ?? false }, io);
    case "surface":
      return surfaceCommand(
        { configPath: values.config, as: values.as, snapshot: values.snapshot, live: values.live ?? false, writeSnapshot: values["write-snapshot"], diff: values.diff, format: parseFormat(values.format) },
        io,
      );
    case "login":
      if (positionals.length > 2) throw new UsageError(`login takes one backend name (got ${positionals.length - 1})`);
      return loginCommand({ configPath: values.config, backend: positionals[1], waitSeconds: values.wait }, io);
    case "explain":
      return explainCommand({ configPath: values.config, as: values.as, request: values.request, format: parseFormat(values.format) }, io);
    default:
      io.out(renderJsonSchema());
      return EXIT.ok;
  }
}

/** Node's parser explains `--` escaping; a user who mistyped an option needs its name and where help is. */
function describeParseError(error: Error & { code?: string }, argv: readonly string[]): string {
  const loose = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: false });
  const command = loose.positionals[0];
  const help = command && ACCEPTS[command] ? `mcp-proxy ${command} --help` : "mcp-proxy --help";
  const option = /^Unknown option '([^']+)'/.exec(error.message)?.[1];
  if (error.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" && option) {
    return `unknown option ${option}${command && ACCEPTS[command] ? ` for '${command}'` : ""} (see ${help})`;
  }
  // "Option '-p, --port <value>' argument missing" / "Option '--strict' does not take an argument".
  const named = /^Option '(?:-\w, )?(--[\w-]+)(?: <value>)?' (argument missing|does not take an argument)/.exec(error.message);
  if (named) {
    const [, name, what] = named;
    return `${name} ${what === "argument missing" ? "needs a value" : "takes no value"} (see ${help})`;
  }
  return `${error.message} (see ${help})`;
}

function parsePort(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new UsageError(`--port must be an integer from 0 to 65535 (got ${JSON.stringify(value)})`);
  return port;
}
