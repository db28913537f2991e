import { errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from "jose";
import type { AuthEdge, AuthOutcome, Authenticator } from "../core/authentication.js";
import { rememberCallerToken } from "../core/caller-token.js";
import type { Identity } from "../core/context.js";
import type { ResolvedAuth } from "../config/index.js";
import { bearerToken } from "./bearer-credential.js";
import { jwksKeys } from "./jwks-keys.js";

type JwtAuth = Extract<ResolvedAuth, { type: "jwt" }>;

/** Where a caller that is not an HTTP binding asks (tests, tools): no metadata URL to point at. */
const NO_EDGE: AuthEdge = { resource: "", resourceMetadata: "" };

/**
 * Verifies `Authorization: Bearer <jwt>`: signature by the configured key source and algorithm
 * list, `iss`, `aud` (by default the binding's resource URL, so a token minted for another
 * service is refused), `exp` and `nbf` within the clock skew; then the scopes every request
 * needs. Refusals follow the MCP authorization spec: 401 with a `resource_metadata` challenge
 * (RFC 9728) for a missing or invalid token, 403 `insufficient_scope` naming the scopes needed.
 */
export function jwtAuthenticator(auth: JwtAuth): Authenticator {
  const key = keySource(auth);
  const requiredScopes = auth.requiredScopes;
  const scopeParam = requiredScopes.length > 0 ? `, scope="${requiredScopes.join(" ")}"` : "";
  const options = {
    algorithms: [...auth.algorithms],
    ...(auth.issuer ? { issuer: auth.issuer } : {}),
    clockTolerance: auth.clockSkewSec,
    // A token without an expiry would stay valid for ever once leaked; without a subject it names nobody.
    requiredClaims: ["exp", "sub"],
  };
  const refuse = (edge: AuthEdge, detail: string): AuthOutcome => ({
    ok: false,
    reason: "invalid",
    status: 401,
    challenge: `Bearer error="invalid_token", error_description="${detail}", resource_metadata="${edge.resourceMetadata}"${scopeParam}`,
    message: `Unauthorized: the bearer token is not valid (${detail})`,
    detail,
  });
  return {
    type: "jwt",
    async authenticate(headers, given) {
      const edge = given ?? NO_EDGE;
      const token = bearerToken(headers.authorization);
      if (token === undefined) {
        return {
          ok: false,
          reason: "missing",
          status: 401,
          challenge: `Bearer resource_metadata="${edge.resourceMetadata}"${scopeParam}`,
          message: `Unauthorized: a bearer token is required (Authorization: Bearer <token>); see ${edge.resourceMetadata} for where to get one`,
        };
      }
      if (token === "" || key === undefined) return refuse(edge, token === "" ? "malformed" : "no verification key");
      // Without a configured audience the binding's resource is the audience; with neither, nothing could be checked.
      const audience = auth.audience ?? given?.resource;
      if (audience === undefined) return refuse(edge, "no audience to check");
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, key as JWTVerifyGetKey, { ...options, audience }));
      } catch (error) {
        return refuse(edge, whyInvalid(error));
      }
      if (typeof payload.sub !== "string" || payload.sub === "") return refuse(edge, "sub is not a string");
      const identity = identityOf(payload, auth.rolesClaim);
      rememberCallerToken(identity, token);
      const missing = requiredScopes.filter((scope) => !identity.scopes.includes(scope));
      if (missing.length === 0) return { ok: true, identity };
      return {
        ok: false,
        reason: "insufficient_scope",
        status: 403,
        challenge: `Bearer error="insufficient_scope"${scopeParam}, resource_metadata="${edge.resourceMetadata}", error_description="the token lacks a required scope"`,
        message: `Forbidden: the token lacks the scope${missing.length > 1 ? "s" : ""} ${missing.join(" ")} (every request needs ${requiredScopes.join(" ")})`,
        detail: `missing scope ${missing.join(" ")}`,
        identity,
      };
    },
    resourceMetadata: (resource) => ({
      resource,
      ...(auth.authorizationServers.length > 0 ? { authorization_servers: auth.authorizationServers } : {}),
      ...(auth.scopesSupported.length > 0 ? { scopes_supported: auth.scopesSupported } : {}),
      bearer_methods_supported: ["header"],
    }),
  };
}

/** An HMAC key from the secret, or the JWKS; undefined when the secret was not resolved (validation without secrets). */
function keySource(auth: JwtAuth): Uint8Array | JWTVerifyGetKey | undefined {
  if (auth.jwksUrl) return jwksKeys({ url: auth.jwksUrl, cooldownMs: auth.jwksCooldownMs, maxAgeMs: auth.jwksMaxAgeMs });
  return auth.secret?.resolved ? new TextEncoder().encode(auth.secret.reveal()) : undefined;
}

/** The few words the challenge and the audit line carry: why, never what the token held. */
function whyInvalid(error: unknown): string {
  if (error instanceof errors.JWTExpired) return "expired";
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.reason === "missing") return `no ${error.claim} claim`;
    if (error.claim === "nbf" || error.claim === "iat") return "not yet valid";
    if (error.claim === "aud") return "wrong audience";
    if (error.claim === "iss") return "wrong issuer";
    return `bad ${error.claim} claim`;
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return "algorithm not allowed";
  if (error instanceof errors.JWSSignatureVerificationFailed) return "bad signature";
  if (error instanceof errors.JWKSNoMatchingKey) return "unknown signing key";
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) return "signing keys unavailable";
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) return "malformed";
  if (error instanceof TypeError || (error instanceof Error && error.name === "TypeError")) return "signing keys unavailable";
  return "not verifiable";
}

/** Who the token names: sub and iss, roles and scopes as policies read them, every claim. */
function identityOf(payload: JWTPayload, rolesClaim: string): Identity {
  return Object.freeze({
    sub: payload.sub as string,
    ...(typeof payload.iss === "string" ? { iss: payload.iss } : {}),
    roles: Object.freeze(wordsOf(claimAt(payload, rolesClaim))),
    scopes: Object.freeze([...new Set([...wordsOf(payload.scope), ...wordsOf(payload.scp)])]),
    claims: deepFreeze(payload) as Readonly<Record<string, unknown>>,
  });
}

/** A claim by its name (which may itself hold dots, as URL-named claims do), else by dotted path. */
function claimAt(payload: JWTPayload, name: string): unknown {
  if (name in payload) return payload[name];
  let value: unknown = payload;
  for (const part of name.split(".")) {
    if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** A list of strings, or one space-separated string (OAuth's `scope`), as a list; anything else is none. */
function wordsOf(value: unknown): string[] {
  if (typeof value === "string") return value.split(/\s+/).filter(Boolean);
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === "string" && v !== "");
  return [];
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
