import type { Identity } from "./context.js";

/**
 * The credential a caller presented, kept beside its identity rather than on it: identities
 * are read by policies, custom interceptors and audit lines, and a token must reach none of
 * them. Only the credential broker asks for it, to exchange it (RFC 8693) for a token whose
 * audience is a backend; it is never forwarded as it is.
 */
const tokens = new WeakMap<Identity, string>();

/** Called by an authenticator for the identity it built from `token`. */
export function rememberCallerToken(identity: Identity, token: string): void {
  tokens.set(identity, token);
}

/** The token the caller presented for this identity, if it presented one. */
export function callerTokenOf(identity: Identity | undefined): string | undefined {
  return identity ? tokens.get(identity) : undefined;
}
