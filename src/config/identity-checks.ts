import { addressRangeProblem } from "../core/address-ranges.js";
import { isLoopbackHost } from "../core/loopback.js";
import { type ConfigIssue, joinPath } from "./config-issue.js";

const HMAC = /^HS(256|384|512)$/;
const ASYMMETRIC = /^(RS|PS|ES)(256|384|512)$|^EdDSA$|^Ed25519$/;

/**
 * A JWT auth that could be read two ways is refused: one key source, an algorithm list the key
 * source can verify (the key decides the family: an HS256 token must never be checked with a
 * public key as its HMAC secret), never `none`, and a JWKS reached over TLS unless it is on
 * this machine.
 */
export function checkJwt(auth: Record<string, unknown>): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const hasSecret = auth.secret !== undefined;
  const hasJwks = auth.jwksUrl !== undefined;
  if (hasSecret === hasJwks) issues.push({ path: "auth", message: "a jwt auth needs exactly one of secret (HMAC) or jwksUrl" });
  if (typeof auth.jwksUrl === "string") {
    const problem = jwksUrlProblem(auth.jwksUrl);
    if (problem) issues.push({ path: "auth.jwksUrl", message: problem });
  }
  if (Array.isArray(auth.algorithms)) {
    auth.algorithms.forEach((alg, i) => {
      if (typeof alg !== "string") return;
      const path = joinPath("auth.algorithms", i);
      if (alg.toLowerCase() === "none") issues.push({ path, message: '"none" (an unsigned token) is never accepted' });
      else if (!HMAC.test(alg) && !ASYMMETRIC.test(alg)) issues.push({ path, message: `"${alg}" is not a JWS signing algorithm (HS256..512, RS/PS/ES256..512, EdDSA)` });
      else if (HMAC.test(alg) && hasJwks) issues.push({ path, message: `"${alg}" is an HMAC algorithm, which needs secret; a JWKS holds public keys` });
      else if (ASYMMETRIC.test(alg) && hasSecret) issues.push({ path, message: `"${alg}" needs a public key from jwksUrl; secret is an HMAC key (HS256, HS384, HS512)` });
    });
  }
  return issues;
}

function jwksUrlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `must be an absolute https:// URL (got ${JSON.stringify(value)})`;
  }
  if (url.protocol === "https:") return undefined;
  // Keys fetched in the clear could be swapped on the way: http only where no network is crossed.
  if (url.protocol === "http:" && isLoopbackHost(url.hostname)) return undefined;
  return url.protocol === "http:" ? `must use https:// (http:// only to a loopback host; got ${url.hostname})` : `must use https:// (got ${url.protocol}//)`;
}

/** The settings of an HTTP binding that face the network: publicUrl, trustedProxies, cors, tls. */
export function checkHttpEdge(binding: Record<string, unknown>, path: string): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (typeof binding.publicUrl === "string") {
    const problem = publicUrlProblem(binding.publicUrl);
    if (problem) issues.push({ path: joinPath(path, "publicUrl"), message: problem });
  }
  if (Array.isArray(binding.trustedProxies)) {
    binding.trustedProxies.forEach((entry, i) => {
      const problem = typeof entry === "string" ? addressRangeProblem(entry) : undefined;
      if (problem) issues.push({ path: joinPath(joinPath(path, "trustedProxies"), i), message: problem });
    });
  }
  const cors = binding.cors;
  if (typeof cors === "object" && cors !== null && Array.isArray((cors as { allowedOrigins?: unknown }).allowedOrigins)) {
    (cors as { allowedOrigins: unknown[] }).allowedOrigins.forEach((origin, i) => {
      if (typeof origin !== "string" || isOrigin(origin)) return;
      issues.push({ path: joinPath(joinPath(joinPath(path, "cors"), "allowedOrigins"), i), message: `"${origin}" is not an origin: scheme://host[:port], no path (as browsers send it in Origin)` });
    });
  }
  return issues;
}

function publicUrlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `must be an absolute https:// URL (got ${JSON.stringify(value)})`;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return `must use https:// (got ${url.protocol}//)`;
  // RFC 9728: the resource identifier has no fragment; a query would make the metadata URL ambiguous.
  if (url.hash || url.search) return "must not have a query or fragment";
  return undefined;
}

function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === "https:" || url.protocol === "http:") && url.origin === value;
  } catch {
    return false;
  }
}
