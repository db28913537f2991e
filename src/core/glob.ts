/**
 * Name globs, as config `match.names` and policies write them: `*` is any run of characters.
 * One implementation for policies and filters, linear in the name's length: names are URIs
 * a caller chooses, so a matcher that backtracks would be theirs to stall.
 */

/**
 * Compiles a name glob once: `*` is any run of characters (empty too), every other character
 * is literal, and the glob covers the whole name. Matched by anchored prefix and suffix and
 * leftmost search for the parts between stars (greedy leftmost is exact for `*`-only globs), so
 * no regular expression is built and no character of a glob can be special by accident.
 */
export function compileGlob(glob: string): (name: string) => boolean {
  const parts = glob.split("*");
  if (parts.length === 1) return (name) => name === glob;
  const prefix = parts[0] ?? "";
  const suffix = parts[parts.length - 1] ?? "";
  const middles = parts.slice(1, -1).filter((part) => part.length > 0);
  return (name) => {
    const end = name.length - suffix.length;
    if (end < prefix.length || !name.startsWith(prefix) || !name.endsWith(suffix)) return false;
    let position = prefix.length;
    for (const middle of middles) {
      const found = name.indexOf(middle, position);
      if (found < 0 || found + middle.length > end) return false;
      position = found + middle.length;
    }
    return true;
  };
}
