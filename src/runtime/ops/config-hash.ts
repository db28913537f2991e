import { createHash } from "node:crypto";
import type { ResolvedConfig } from "../../config/index.js";

/**
 * SHA-256 (hex) of a resolved config's canonical JSON: keys sorted, secrets replaced by where
 * they come from (`env:NAME`), never their values, so the hash can be shown on /status and
 * compared across replicas without becoming a way to guess a secret. Custom interceptors
 * count by name and stage (their code is not part of the config's data).
 *
 * @example configHash(config) // "3f1a…" (64 hex digits)
 */
export function configHash(config: ResolvedConfig): string {
  return createHash("sha256").update(canonicalJson(config)).digest("hex");
}

function canonicalJson(value: unknown): string {
  return JSON.stringify(canonical(value));
}

function canonical(value: unknown): unknown {
  if (value === null || typeof value !== "object") return typeof value === "function" ? "[function]" : value;
  if (isSecret(value)) return { secret: value.source };
  if (Array.isArray(value)) return value.map(canonical);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const child = (value as Record<string, unknown>)[key];
    if (child !== undefined) out[key] = canonical(child);
  }
  return out;
}

/** A resolved secret (src/config/secret.ts): it has `reveal()`, which this never calls. */
function isSecret(value: object): value is { source: string } {
  return typeof (value as { reveal?: unknown }).reveal === "function" && typeof (value as { source?: unknown }).source === "string";
}
