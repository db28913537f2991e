import type { BackendSpec, Revealable } from "./backend-spec.js";

const REDACTED = "[redacted]";
/** Shorter values would mask ordinary words; no real credential is this short. */
const MIN_LENGTH = 6;
const CREDENTIAL_HEADER = /^(authorization|proxy-authorization|cookie)$|token|secret|key/i;

/**
 * Removes every credential this backend was given (secret references in its headers or env,
 * credential-named literal headers) from a text about to reach a client or the log: a backend
 * that echoes its Authorization header in an error must not hand it to whoever called.
 *
 * @example scrubberFor(backend)("invalid token Bearer s3cr3t-value") // "invalid token Bearer [redacted]"
 */
export function scrubberFor(backend: BackendSpec): (text: string) => string {
  const values = new Set<string>();
  const add = (value: string) => {
    if (value.length >= MIN_LENGTH) values.add(value);
    // "Bearer abc…": a server may echo only the token.
    const token = /^\S+\s+(\S+)$/.exec(value)?.[1];
    if (token && token.length >= MIN_LENGTH) values.add(token);
  };
  const map: Readonly<Record<string, Revealable>> = backend.transport === "stdio" ? backend.env : backend.headers;
  for (const [name, value] of Object.entries(map)) {
    if (typeof value !== "string") {
      if (value.resolved !== false) add(value.reveal());
    } else if (CREDENTIAL_HEADER.test(name)) {
      add(value);
    }
  }
  // Longest first, so a token inside a longer value is not left half-masked.
  const ordered = [...values].sort((a, b) => b.length - a.length);
  if (ordered.length === 0) return (text) => text;
  return (text) => ordered.reduce((out, value) => out.split(value).join(REDACTED), text);
}
