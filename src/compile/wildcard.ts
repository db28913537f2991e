/** Compiles `*` wildcards (the only special character) into one anchored RegExp, once, at load. */
export function compileWildcards(patterns: readonly string[]): RegExp {
  const alternatives = patterns.map((p) => p.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*"));
  return new RegExp(`^(?:${alternatives.join("|")})$`);
}
