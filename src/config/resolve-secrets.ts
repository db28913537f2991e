import { readFileSync } from "node:fs";
import { resolve as resolvePath } from "node:path";
import { type ConfigIssue, joinPath } from "./config-issue.js";
import { Secret, type SecretOrString } from "./secret.js";

export interface SecretContext {
  readonly configDir: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Check references for shape only (CI machines rarely hold production secrets). */
  readonly skipSecrets: boolean;
  readonly issues: ConfigIssue[];
}

/** Resolves `{ env }` / `{ file }` to a Secret, recording a path-named issue when it cannot. */
export function resolveSecret(ref: { env?: string; file?: string }, path: string, ctx: SecretContext): Secret {
  if (typeof ref.env === "string") {
    const source = `env:${ref.env}`;
    if (ctx.skipSecrets) return new Secret(source, undefined);
    const value = ctx.env[ref.env];
    if (value === undefined) ctx.issues.push({ path: joinPath(path, "env"), message: `environment variable ${ref.env} is not set` });
    else if (value === "") ctx.issues.push({ path: joinPath(path, "env"), message: `environment variable ${ref.env} is empty` });
    return new Secret(source, value || undefined);
  }
  const file = resolvePath(ctx.configDir, String(ref.file));
  const source = `file:${file}`;
  if (ctx.skipSecrets) return new Secret(source, undefined);
  try {
    // One trailing newline is how editors and `echo` end files; it is never part of a token.
    const value = readFileSync(file, "utf8").replace(/\r?\n$/, "");
    if (value === "") ctx.issues.push({ path: joinPath(path, "file"), message: `secret file ${file} is empty` });
    return new Secret(source, value || undefined);
  } catch (error) {
    ctx.issues.push({ path: joinPath(path, "file"), message: `cannot read secret file ${file} (${(error as NodeJS.ErrnoException).code ?? "error"})` });
    return new Secret(source, undefined);
  }
}

/** Resolves a map whose values are literals or secret references (headers, child env). */
export function resolveStringMap(
  map: Readonly<Record<string, string | { env?: string; file?: string }>> | undefined,
  path: string,
  ctx: SecretContext,
): Readonly<Record<string, SecretOrString>> {
  const out: Record<string, SecretOrString> = {};
  for (const [key, value] of Object.entries(map ?? {})) {
    out[key] = typeof value === "string" ? value : resolveSecret(value, joinPath(path, key), ctx);
  }
  return out;
}
