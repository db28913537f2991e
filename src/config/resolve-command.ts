import { accessSync, constants, statSync } from "node:fs";
import { delimiter, dirname, isAbsolute, join, resolve as resolvePath } from "node:path";

/**
 * Where a stdio backend's `command` is found, fixed at resolve time so the proxy runs the same
 * program however it is started (`npm start` puts `node_modules/.bin` on PATH, a global install
 * or an absolute `node …/bin/mcp-proxy.js` does not):
 *
 * 1. with a slash: a path, relative to the config's folder;
 * 2. a bare name: `node_modules/.bin/NAME` in the config's folder, then in each folder above it;
 * 3. otherwise left bare, for the child's PATH to find when it is spawned.
 *
 * @example resolveCommand("mcp-server-memory", "/repo/examples/x") // "/repo/node_modules/.bin/mcp-server-memory"
 */
export function resolveCommand(command: string, configDir: string): string {
  if (command.includes("/")) return isAbsolute(command) ? command : resolvePath(configDir, command);
  for (let dir = configDir; ; dir = dirname(dir)) {
    const candidate = join(dir, "node_modules", ".bin", command);
    if (isExecutableFile(candidate)) return candidate;
    if (dirname(dir) === dir) return command;
  }
}

/**
 * Why a resolved command cannot be started, or undefined when it can: the check `validate`
 * runs so that a missing program shows before `start`. A bare name is looked up on `PATH`.
 */
export function programProblem(command: string, path: string | undefined): string | undefined {
  if (isAbsolute(command)) {
    let isFile = false;
    try {
      isFile = statSync(command).isFile();
    } catch {
      return `program ${command} does not exist`;
    }
    return isFile && isExecutableFile(command) ? undefined : `program ${command} is not an executable file`;
  }
  const dirs = (path ?? "").split(delimiter).filter(Boolean);
  if (dirs.some((dir) => isExecutableFile(join(dir, command)))) return undefined;
  return `program "${command}" is not in node_modules/.bin of the config's folder or above, nor on PATH`;
}

function isExecutableFile(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}
