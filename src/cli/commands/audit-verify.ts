import { resolve } from "node:path";
import { verifyAuditFile } from "../../audit/index.js";
import { type CommandIo, EXIT, type ExitCode, UsageError } from "../io.js";

/** Why a file could not be read, in words rather than an errno. */
function unreadable(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case "ENOENT":
      return "it does not exist";
    case "EISDIR":
      return "it is a folder";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    default:
      return error.message;
  }
}

/**
 * `mcp-proxy audit <subcommand> …`: only `verify FILE` so far. Exit 0 when the chain is intact,
 * 1 at the first broken line, 2 for a usage mistake or a file that cannot be read.
 */
export async function auditCommand(args: readonly string[], io: CommandIo): Promise<ExitCode> {
  const [subcommand, file, ...rest] = args;
  if (subcommand === undefined) throw new UsageError("audit needs a subcommand: mcp-proxy audit verify FILE (see mcp-proxy audit --help)");
  if (subcommand !== "verify") throw new UsageError(`unknown audit subcommand "${subcommand}" (see mcp-proxy audit --help)`);
  if (file === undefined) throw new UsageError("audit verify needs the audit file to check: mcp-proxy audit verify FILE");
  if (rest.length > 0) throw new UsageError(`audit verify takes one file (got also "${rest[0]}")`);
  let result;
  try {
    result = await verifyAuditFile(resolve(io.cwd, file));
  } catch (error) {
    io.err(`mcp-proxy: cannot read ${file}: ${unreadable(error as NodeJS.ErrnoException)}\n`);
    return EXIT.usage;
  }
  if (!result.ok) {
    io.out(`${file}: line ${result.line}: ${result.reason}\n`);
    return EXIT.invalid;
  }
  const notes = [`${file}: ${result.lines} ${result.lines === 1 ? "line" : "lines"}, chain intact`];
  if (result.continuesFrom) notes.push(`continues from ${result.continuesFrom}`);
  if (result.cutLines) notes.push(`cut off by an interrupted write and linked over: line ${result.cutLines.join(", ")}`);
  io.out(`${notes.join(", ")}\n`);
  return EXIT.ok;
}
