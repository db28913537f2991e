import type { Identity } from "./context.js";

/** Why a request was refused before any MCP session saw it. */
export type AuthRefusalReason = "missing" | "invalid";

/**
 * The verdict on one HTTP request's credentials. A refusal carries what the binding answers
 * with (HTTP 401, a `WWW-Authenticate` challenge) and nothing about which tokens exist.
 */
export type AuthOutcome =
  | { readonly ok: true; readonly identity: Identity }
  | { readonly ok: false; readonly reason: AuthRefusalReason; readonly challenge: string; readonly message: string };

/** Checks the credentials of one request, from its headers only; compiled once per config. */
export interface Authenticator {
  /** The auth type, for logs and the pipeline description. */
  readonly type: string;
  authenticate(headers: Readonly<Record<string, string | string[] | undefined>>): AuthOutcome;
}

/** Every caller is the same anonymous one: `auth: { type: "none" }`. */
export const ANONYMOUS: Identity = Object.freeze({ sub: "anonymous", roles: Object.freeze([]) as readonly string[], claims: Object.freeze({}) });

/** Two identities are the same caller when issuer and subject agree (roles may change with a token, the caller does not). */
export function callerKey(identity: Identity | undefined): string {
  return identity ? `${identity.iss ?? ""}\u0000${identity.sub}` : "";
}
