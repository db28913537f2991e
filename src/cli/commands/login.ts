import { LoginError, loginBackend } from "../../runtime/backend-login.js";
import { loadConfigOrReport } from "../load-or-report.js";
import { type CommandIo, EXIT, type ExitCode, UsageError } from "../io.js";

/** How long `login` waits for the browser by default: long enough to type a password and a second factor. */
const DEFAULT_WAIT_MS = 5 * 60 * 1000;

export interface LoginCommandOptions {
  readonly configPath: string | undefined;
  readonly backend: string | undefined;
  readonly waitSeconds: string | undefined;
}

/** `mcp-proxy login BACKEND`: one OAuth authorization for a backend that requires it; the tokens are stored encrypted. */
export async function loginCommand(options: LoginCommandOptions, io: CommandIo): Promise<ExitCode> {
  if (!options.backend) throw new UsageError("login needs the name of a backend: mcp-proxy login BACKEND");
  const waitMs = options.waitSeconds === undefined ? DEFAULT_WAIT_MS : Number(options.waitSeconds) * 1000;
  if (!Number.isFinite(waitMs) || waitMs <= 0) throw new UsageError(`--wait must be a number of seconds (got ${JSON.stringify(options.waitSeconds)})`);
  const loaded = await loadConfigOrReport({ configPath: options.configPath }, io);
  if (!loaded) return EXIT.invalid;
  try {
    const { file } = await loginBackend({ config: loaded.config, backend: options.backend, say: io.out, waitMs });
    io.out(`Logged in: the tokens of backend "${options.backend}" are stored, encrypted, in ${file}\n`);
    return EXIT.ok;
  } catch (error) {
    if (!(error instanceof LoginError)) throw error;
    io.err(`mcp-proxy: login failed: ${error.message}\n`);
    return EXIT.invalid;
  }
}
