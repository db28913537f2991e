import { randomBytes } from "node:crypto";

/**
 * A new session id: 192 random bits, base64url (safe in a header and a query string). A UUID
 * carries only 122; the MCP spec asks for ids that cannot be guessed, and the id is what a
 * hijacker would have to guess besides the caller's token.
 */
export function newSessionId(): string {
  return randomBytes(24).toString("base64url");
}
