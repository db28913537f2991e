import { createHash, timingSafeEqual } from "node:crypto";
import { ANONYMOUS, type AuthOutcome, type Authenticator } from "../core/authentication.js";
import { rememberCallerToken } from "../core/caller-token.js";
import type { Identity } from "../core/context.js";
import type { ResolvedAuth } from "../config/index.js";
import { bearerToken } from "./bearer-credential.js";
import { jwtAuthenticator } from "./jwt-authenticator.js";

const REALM = 'realm="mcp-portcullis"';
const NO_TOKEN: AuthOutcome = Object.freeze({ ok: false, reason: "missing", status: 401, challenge: `Bearer ${REALM}`, message: "Unauthorized: a bearer token is required (Authorization: Bearer <token>)" });
const BAD_TOKEN: AuthOutcome = Object.freeze({
  ok: false,
  reason: "invalid",
  status: 401,
  challenge: `Bearer ${REALM}, error="invalid_token", error_description="the token is not valid"`,
  message: "Unauthorized: the bearer token is not valid",
});

/**
 * The authenticate stage's compiled form: what a binding asks of each HTTP request before
 * any session exists.
 */
export function compileAuthenticator(auth: ResolvedAuth): Authenticator {
  switch (auth.type) {
    case "none": {
      const ok: AuthOutcome = Object.freeze({ ok: true, identity: ANONYMOUS });
      return { type: "none", authenticate: () => ok };
    }
    case "bearer":
      return bearerAuthenticator(auth.tokens.map((t) => ({ digest: digest(t.token.reveal()), identity: freezeIdentity({ sub: t.subject, roles: t.roles, scopes: [], claims: t.claims }) })));
    case "jwt":
      return jwtAuthenticator(auth);
  }
}

/**
 * Static tokens, compared as SHA-256 digests with `timingSafeEqual` against every configured
 * token, without stopping at a match: neither the time taken nor an early exit tells an
 * attacker how much of a guess was right or which position in the list it hit.
 */
function bearerAuthenticator(tokens: ReadonlyArray<{ digest: Buffer; identity: Identity }>): Authenticator {
  return {
    type: "bearer",
    authenticate(headers) {
      const presented = bearerToken(headers.authorization);
      if (presented === undefined) return NO_TOKEN;
      const candidate = digest(presented);
      let found: Identity | undefined;
      for (const token of tokens) if (timingSafeEqual(token.digest, candidate) && !found) found = token.identity;
      if (!found) return BAD_TOKEN;
      // Kept beside the identity for the credential broker's token exchange only.
      rememberCallerToken(found, presented);
      return { ok: true, identity: found };
    },
  };
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}

function freezeIdentity(identity: Identity): Identity {
  return Object.freeze({ ...identity, roles: Object.freeze([...identity.roles]), scopes: Object.freeze([...identity.scopes]), claims: Object.freeze({ ...identity.claims }) });
}
