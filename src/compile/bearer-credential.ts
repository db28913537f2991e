/**
 * The token of `Authorization: Bearer <token>` (scheme case-insensitive, RFC 6750); undefined
 * when no bearer credential was presented, "" for a malformed one (refused as invalid).
 */
export function bearerToken(header: string | string[] | undefined): string | undefined {
  if (typeof header !== "string" || !/^Bearer(\s|$)/i.test(header)) return undefined;
  return /^Bearer +(\S+) *$/i.exec(header)?.[1] ?? "";
}
