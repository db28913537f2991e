import { ConfigError, exposureMessage, loadConfig, type ResolvedConfig, unenforcedIssues, unenforcedSettings } from "../../config/index.js";
import { isLoopbackHost } from "../../core/loopback.js";
import { loginProblems } from "../../runtime/backend-login.js";
import { startGateway } from "../../runtime/gateway.js";
import { TracingUnavailableError } from "../../runtime/ops/tracing.js";
import { createLogger } from "../../runtime/logger.js";
import { loadConfigOrReport } from "../load-or-report.js";
import { type CommandIo, EXIT, type ExitCode, UsageError } from "../io.js";

export interface StartOptions {
  readonly configPath: string | undefined;
  /** `--port` / `--host`: override the first HTTP binding (the one a user starting by hand means). */
  readonly port?: number | undefined;
  readonly host?: string | undefined;
  readonly version: string;
  /** Resolves when the process is asked to stop (SIGINT/SIGTERM in the CLI). */
  readonly stopSignal: Promise<string>;
}

/** Runs the gateway until told to stop; every child process and socket is closed before it returns. */
export async function startCommand(options: StartOptions, io: CommandIo): Promise<ExitCode> {
  const loaded = await loadConfigOrReport({ configPath: options.configPath }, io);
  if (!loaded) return EXIT.invalid;
  // The same rule as validate's for a listener beyond loopback, for one chosen with --host.
  if (options.host !== undefined && !isLoopbackHost(options.host) && !loaded.authDeclared) {
    io.err(`mcp-proxy: refusing to start: --host ${options.host} ${exposureMessage(options.host).replace(/^listens on \S+, /, "is ")}\n`);
    return EXIT.invalid;
  }
  const config = withListenOverride(loaded.config, options);
  const gaps = unenforcedSettings(config);
  if (gaps.length > 0) {
    io.err(
      `mcp-proxy: refusing to start: ${loaded.file} sets ${gaps.join(", ")}, which this version validates but does not enforce yet.\n` +
        "Running without them would leave the gateway more open than the config says. Remove them to run this version.\n",
    );
    return EXIT.invalid;
  }
  // A backend that needs a login would fail every call; say so now, naming the command that fixes it.
  const logins = loginProblems(config);
  if (logins.length > 0) {
    io.err(`mcp-proxy: refusing to start:\n${logins.map((problem) => `  ${problem.message}\n`).join("")}`);
    return EXIT.invalid;
  }
  const logger = createLogger(config.logging.level);
  let gateway;
  try {
    gateway = await startGateway(config, logger, options.version, {
      dependencies: loaded.dependencies,
      // The same file, read as start read it, with the same checks and --port/--host override.
      load: () => loadConfig({ configPath: loaded.file, cwd: io.cwd, env: io.env }),
      prepare: (next) => {
        const issues = unenforcedIssues(next.config);
        if (issues.length > 0) throw new ConfigError(next.file, issues);
        return withListenOverride(next.config, options);
      },
    });
  } catch (error) {
    if (error instanceof TracingUnavailableError) {
      io.err(`mcp-proxy: refusing to start: ${error.message}\n`);
      return EXIT.invalid;
    }
    const e = error as NodeJS.ErrnoException & { address?: string; port?: number };
    if (e.code !== "EADDRINUSE" && e.code !== "EACCES" && e.code !== "EADDRNOTAVAIL") throw error;
    io.err(`mcp-proxy: cannot listen on ${e.address}:${e.port}: ${e.code === "EADDRINUSE" ? "address already in use" : e.code === "EACCES" ? "permission denied" : "address not available"}\n`);
    return EXIT.invalid;
  }
  // With a stdio binding stdout belongs to the protocol; the URLs then go to stderr.
  const announce = config.bindings.some((b) => b.transport === "stdio") ? io.err : io.out;
  const lines = gateway.endpoints
    .filter((e) => e.transport !== "stdio")
    .map((e) => `mcp-proxy: serving ${e.transport === "legacy-sse" ? "legacy SSE" : "Streamable HTTP"} at ${e.url}\n`);
  if (gateway.adminUrl) lines.push(`mcp-proxy: serving health, status and metrics at ${gateway.adminUrl}\n`);
  if (lines.length) announce(lines.join(""));
  logger.info({ file: loaded.file, endpoints: gateway.endpoints, backends: Object.keys(config.backends) }, "gateway started");
  const running = gateway;
  // SIGHUP reloads, as daemons do; whether or not the file watcher is on (reload.enabled).
  const onHangup = () => void running.gateway.reload("SIGHUP");
  process.on("SIGHUP", onHangup);
  // The stdio client leaving ends its session; it ends the process only when nothing else is
  // served (under systemd or `docker run` without -i stdin is closed from the start).
  const stdioOnly = config.bindings.every((b) => b.transport === "stdio");
  void gateway.stdioClosed.then(() => {
    if (!stdioOnly) logger.info("stdio client disconnected; the other bindings keep serving");
  });
  const reason = await Promise.race([options.stopSignal, ...(stdioOnly ? [gateway.stdioClosed.then(() => "stdio client disconnected")] : [])]);
  logger.info({ reason, graceMs: gateway.gateway.config.limits.shutdownGraceMs }, "shutting down");
  process.off("SIGHUP", onHangup);
  await gateway.shutdown();
  logger.info("gateway stopped");
  await new Promise<void>((resolve) => logger.flush(() => resolve()));
  return EXIT.ok;
}

function withListenOverride(config: ResolvedConfig, options: StartOptions): ResolvedConfig {
  if (options.port === undefined && options.host === undefined) return config;
  const first = config.bindings.findIndex((b) => b.transport === "http");
  if (first < 0) throw new UsageError("--port and --host apply to an HTTP binding, and this config has none");
  const bindings = config.bindings.map((b, i) =>
    i === first && b.transport === "http" ? { ...b, port: options.port ?? b.port, host: options.host ?? b.host } : b,
  );
  return Object.freeze({ ...config, bindings: Object.freeze(bindings) });
}
