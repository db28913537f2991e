import { callerKey } from "../core/authentication.js";
import type { Identity } from "../core/context.js";
import { ProxyError } from "../core/errors.js";

/**
 * Counts the client sessions each caller holds, across every binding, for
 * `limits.maxSessionsPerIdentity`: the global caps (maxClientSessions) stop the gateway from
 * being swamped, this one stops one caller from taking every session from the others.
 * Callers are told apart as everywhere else (callerKey); with auth none they are all one.
 */
export class IdentitySessions<S extends object> {
  readonly #held = new Map<string, number>();
  readonly #callerOf = new Map<S, string>();

  /** Counts a session for its caller, or throws IDENTITY_SESSION_LIMIT when the caller already holds `max`. */
  admit(identity: Identity | undefined, max: number | undefined, open: () => S): S {
    const caller = callerKey(identity);
    const held = this.#held.get(caller) ?? 0;
    if (max !== undefined && held >= max) throw identitySessionLimit(max);
    const session = open();
    this.#held.set(caller, held + 1);
    this.#callerOf.set(session, caller);
    return session;
  }

  release(session: S): void {
    const caller = this.#callerOf.get(session);
    if (caller === undefined) return;
    this.#callerOf.delete(session);
    const held = (this.#held.get(caller) ?? 0) - 1;
    if (held <= 0) this.#held.delete(caller);
    else this.#held.set(caller, held);
  }

  /** Sessions the caller of `identity` holds now. */
  heldBy(identity: Identity | undefined): number {
    return this.#held.get(callerKey(identity)) ?? 0;
  }
}

function identitySessionLimit(max: number): ProxyError {
  return new ProxyError("IDENTITY_SESSION_LIMIT", `Too many sessions: this caller already holds ${max} ${max === 1 ? "session" : "sessions"} (limits.maxSessionsPerIdentity); close one and try again`, {
    limit: "maxSessionsPerIdentity",
    max,
  });
}
