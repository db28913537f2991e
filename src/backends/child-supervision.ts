import { accessSync, constants, existsSync } from "node:fs";
import { delimiter, join } from "node:path";

/**
 * Node cannot ask Linux to kill a child when its parent dies (no PR_SET_PDEATHSIG), so a
 * gateway killed with SIGKILL would leave its backends running under PID 1. util-linux's
 * `setpriv --pdeathsig` sets that flag and execs; the flag covers only the direct child, so
 * that child is a small POSIX shell which starts the backend in its process group and, when
 * the signal comes, kills the whole group (wrapper scripts, npx → node, grandchildren).
 */
const SETPRIV = ["/usr/bin/setpriv", "/bin/setpriv", "/usr/sbin/setpriv"].find((path) => process.platform === "linux" && existsSync(path));

/**
 * $1 is the gateway's pid: if it died before the flag was set, no signal will ever come, so
 * the shell checks it once itself. stdin is kept on fd 3 because sh gives a background job
 * /dev/null as its stdin. USR1 is the death signal, so the gateway's own SIGTERM to the group
 * on an orderly stop still reaches the backend as SIGTERM.
 */
const SUPERVISOR = [
  "trap 'kill -KILL 0' USR1",
  // The group's SIGTERM (an orderly stop) must not end this shell before the backend: a
  // gateway killed during its grace time would then leave a backend that ignores TERM behind.
  // ':' rather than '' so the backend does not inherit an ignored TERM.
  "trap ':' TERM INT HUP",
  'gateway="$1"; shift',
  'exec 3<&0; "$@" <&3 3<&- &',
  "backend=$!",
  '[ "$PPID" = "$gateway" ] || kill -KILL 0',
  // wait returns early when a trapped signal arrives: wait again until the backend is gone.
  'while kill -0 "$backend" 2>/dev/null; do wait "$backend"; done',
].join("\n");

export interface SupervisedCommand {
  readonly command: string;
  readonly args: readonly string[];
  /** Why children are not supervised here, for one log line; undefined when they are. */
  readonly unsupervised: string | undefined;
}

/**
 * The command line that runs a backend so that it dies with the gateway, wherever that can be
 * arranged. A program that cannot be found is run as it is, so its start fails with the
 * system's own error (ENOENT) rather than with a shell's exit code.
 */
export function supervisedCommand(command: string, args: readonly string[], path: string | undefined): SupervisedCommand {
  if (SETPRIV && !isRunnable(command, path)) return { command, args, unsupervised: undefined };
  if (!SETPRIV) {
    const unsupervised =
      process.platform === "linux"
        ? "setpriv (util-linux) not found: backend processes may outlive the gateway if it is killed with SIGKILL"
        : `no parent-death signal on ${process.platform}: backend processes may outlive the gateway if it is killed with SIGKILL`;
    return { command, args, unsupervised };
  }
  return {
    command: SETPRIV,
    args: ["--pdeathsig", "USR1", "--", "/bin/sh", "-c", SUPERVISOR, "mcp-proxy-backend", String(process.pid), command, ...args],
    unsupervised: undefined,
  };
}

function isRunnable(command: string, path: string | undefined): boolean {
  const candidates = command.includes("/") ? [command] : (path ?? "").split(delimiter).filter(Boolean).map((dir) => join(dir, command));
  return candidates.some((file) => {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}
