/**
 * Names for the parts of the policy data, as dotted `var` paths, and the one test of whether a
 * path reads a part: reading `request` whole reads `request.arguments` too.
 */

/** The parts only a call knows; a list decision must treat what they hold as unknown. */
export const CALL_TIME_ONLY: readonly string[] = ["request.arguments", "time", "session"];

/** Whether reading `path` reads (some of) `part`: the path is inside the part, or holds all of it. */
export function pathTouches(path: string, part: string): boolean {
  return path === part || path.startsWith(`${part}.`) || part.startsWith(`${path}.`);
}

/** Whether a `var` name reads data only a call knows; the whole data ("", null, nothing) does. */
export function readsCallTimeData(name: unknown): boolean {
  if (name === undefined || name === null || name === "") return true;
  const path = String(name);
  return CALL_TIME_ONLY.some((part) => pathTouches(path, part));
}
