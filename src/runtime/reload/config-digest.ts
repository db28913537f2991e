import { createHash } from "node:crypto";
import { Secret, type ResolvedBackend, type ResolvedBinding, type ResolvedConfig } from "../../config/index.js";

/**
 * The config's public fingerprint: SHA-256 of its canonical JSON (keys sorted), with every
 * secret written as its reference (`env:NAME`, `file:/path`), never its value, so the hash
 * can be shown in logs and on the status page without telling anything about a secret.
 */
export function configHash(config: ResolvedConfig): string {
  return sha256(canonicalJson(config, (value) => (value instanceof Secret ? `secret:${value.source}` : undefined)));
}

/**
 * What decides whether a backend's links must be replaced: everything that reaches its process
 * or connection, secret values included (a rotated token must restart the link). Kept private
 * to the reconciler: it is compared, never shown. Naming fields (namespace, include, exclude)
 * and labels are left out: changing them renames or hides items, it restarts nothing.
 */
export function backendDigest(backend: ResolvedBackend): string {
  const { namespace: _n, include: _i, exclude: _e, labels: _l, ...reach } = backend;
  return sha256(canonicalJson(reach, (value) => (value instanceof Secret ? { ref: value.source, value: value.resolved ? value.reveal() : null } : undefined)));
}

/** A served binding's identity: one whose digest changed (a rotated TLS key included) gets a new listener. Compared, never shown. */
export function bindingDigest(binding: ResolvedBinding, limits: unknown): string {
  return sha256(canonicalJson({ binding, limits }, (value) => (value instanceof Secret ? { ref: value.source, value: value.resolved ? value.reveal() : null } : undefined)));
}

/** Every secret file a config reads (`{ file }` references), for the watcher. */
export function secretFiles(config: ResolvedConfig): string[] {
  const files = new Set<string>();
  const visit = (value: unknown): void => {
    if (value instanceof Secret) {
      if (value.source.startsWith("file:")) files.add(value.source.slice("file:".length));
      return;
    }
    if (value && typeof value === "object") for (const child of Object.values(value)) visit(child);
  };
  visit(config);
  return [...files];
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/**
 * JSON with object keys sorted, so equal configs give equal text whatever order a file wrote
 * them in. `special` maps a value to its stand-in (secrets); functions (custom interceptors)
 * are represented by a digest of their source, so editing one changes the hash.
 */
function canonicalJson(value: unknown, special: (value: unknown) => unknown): string {
  const walk = (v: unknown): unknown => {
    const replaced = special(v);
    if (replaced !== undefined) return replaced;
    if (typeof v === "function") return `function:${sha256(v.toString())}`;
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === "object") {
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(v).sort()) out[key] = walk((v as Record<string, unknown>)[key]);
      return out;
    }
    return v;
  };
  return JSON.stringify(walk(value)) ?? "null";
}
