import type { Identity } from "./context.js";

/**
 * Why a request was refused before any MCP session saw it: no credential, one that is not
 * valid (both HTTP 401), or a valid one that lacks a scope every request needs (HTTP 403).
 */
export type AuthRefusalReason = "missing" | "invalid" | "insufficient_scope";

/**
 * The verdict on one HTTP request's credentials. A refusal carries what the binding answers
 * with (HTTP status, a `WWW-Authenticate` challenge) and nothing about which tokens exist.
 */
export type AuthOutcome =
  | { readonly ok: true; readonly identity: Identity }
  | {
      readonly ok: false;
      readonly reason: AuthRefusalReason;
      readonly status: 401 | 403;
      readonly challenge: string;
      readonly message: string;
      /** Why a token was not valid, in a few words (`expired`, `wrong audience`): for the audit line, never the token. */
      readonly detail?: string;
      /** The caller of a valid token refused for its scopes (for the audit line). */
      readonly identity?: Identity;
    };

/**
 * What a binding knows of where it is reached, which a token's audience and the RFC 9728
 * challenge are about: `resource` is the binding's public URL (`publicUrl`, or what the client
 * used), `resourceMetadata` the URL of its protected resource metadata.
 */
export interface AuthEdge {
  readonly resource: string;
  readonly resourceMetadata: string;
}

/** Checks the credentials of one request, from its headers only; compiled once per config. */
export interface Authenticator {
  /** The auth type, for logs and the pipeline description. */
  readonly type: string;
  /**
   * A promise where a key may have to be fetched first (a JWKS); a plain value otherwise.
   * `edge` is what the binding knows of its public URL (HTTP bindings always pass it).
   */
  authenticate(headers: Readonly<Record<string, string | string[] | undefined>>, edge?: AuthEdge): AuthOutcome | Promise<AuthOutcome>;
  /** RFC 9728 protected resource metadata for a binding's resource; undefined when the auth type has no authorization server. */
  resourceMetadata?(resource: string): Readonly<Record<string, unknown>>;
}

/** Every caller is the same anonymous one: `auth: { type: "none" }`. */
export const ANONYMOUS: Identity = Object.freeze({ sub: "anonymous", roles: Object.freeze([]) as readonly string[], scopes: Object.freeze([]) as readonly string[], claims: Object.freeze({}) });

/** Two identities are the same caller when issuer and subject agree (roles may change with a token, the caller does not). */
export function callerKey(identity: Identity | undefined): string {
  return identity ? `${identity.iss ?? ""}\u0000${identity.sub}` : "";
}
