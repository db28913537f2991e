import { createHash } from "node:crypto";

/**
 * The audit line format, shared by the writer and `verifyAuditFile` so both agree byte for byte.
 *
 * A plain line is `{"audit":true,…record}`. A chained line is
 *
 *     {"audit":true,"prev":"<64 hex>",…record,"hash":"<64 hex>"}
 *
 * where `hash` is the SHA-256 (lowercase hex) of the UTF-8 bytes of the line with its hash
 * member removed, that is of `{"audit":true,"prev":"<64 hex>",…record}` exactly as written.
 * `prev` is the previous line's hash, or GENESIS for the first line of a new chain. Hashing the
 * written text rather than a re-serialisation means verification needs no canonical JSON: the
 * bytes on disk are the content.
 */

/** `prev` of the first line of a chain that continues nothing. */
export const GENESIS = "0".repeat(64);

/** Keys the line itself owns; a record's own keys of these names are left out rather than clash. */
export const RESERVED_KEYS: ReadonlySet<string> = new Set(["audit", "prev", "hash"]);

/** What every line starts with: it tells audit lines from the gateway's operational pino logs. */
export const MARKER_HEAD = '{"audit":true';
/** A chained line's beginning up to the 64 hex characters of `prev`. */
export const CHAIN_HEAD = `${MARKER_HEAD},"prev":"`;

const HASH_TAIL_LENGTH = ',"hash":"'.length + 64 + '"}'.length;
const HEX64 = /^[0-9a-f]{64}$/;

/** SHA-256 hex of the content bytes. */
export function sha256Hex(content: string | Uint8Array): string {
  return createHash("sha256").update(content).digest("hex");
}

function auditObject(record: Readonly<Record<string, unknown>>, prev: string | undefined): Record<string, unknown> {
  // A null prototype so a record key named "__proto__" is copied as data, not as a prototype.
  const line = Object.create(null) as Record<string, unknown>;
  line.audit = true;
  if (prev !== undefined) line.prev = prev;
  for (const key of Object.keys(record)) if (!RESERVED_KEYS.has(key)) line[key] = record[key];
  return line;
}

/** One unchained line (without its newline). Throws when the record cannot be serialised. */
export function plainLine(record: Readonly<Record<string, unknown>>): string {
  return JSON.stringify(auditObject(record, undefined));
}

/** One chained line (without its newline) following `prev`, and its hash. Throws when the record cannot be serialised. */
export function chainedLine(record: Readonly<Record<string, unknown>>, prev: string): { readonly line: string; readonly hash: string } {
  const content = JSON.stringify(auditObject(record, prev));
  const hash = sha256Hex(content);
  return { line: `${content.slice(0, -1)},"hash":"${hash}"}`, hash };
}

/** A line of a chained file, read back: its link and hash, or why it is not a chained line. */
export type ChainedLineReading =
  | { readonly kind: "line"; readonly prev: string; readonly hash: string }
  | { readonly kind: "not-json"; readonly detail: string }
  | { readonly kind: "broken"; readonly reason: string };

/** Reads one line's bytes (without its newline) and checks its own hash; links are the caller's. */
export function readChainedLine(bytes: Buffer): ChainedLineReading {
  const text = bytes.toString("utf8");
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { kind: "not-json", detail: (error as Error).message };
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return { kind: "broken", reason: "not a JSON object" };
  const fields = parsed as Record<string, unknown>;
  if (fields.hash === undefined && fields.prev === undefined) return { kind: "broken", reason: "missing hash: the line has no prev/hash fields" };
  if (typeof fields.hash !== "string" || !HEX64.test(fields.hash)) return { kind: "broken", reason: "missing hash: no 64-hex-digit hash field" };
  if (typeof fields.prev !== "string" || !HEX64.test(fields.prev)) return { kind: "broken", reason: "missing prev: no 64-hex-digit prev field" };
  const hash = fields.hash;
  const prev = fields.prev;
  // The writer puts prev second and hash last; anything else was rearranged after writing.
  const tail = `,"hash":"${hash}"}`;
  if (!text.startsWith(`${CHAIN_HEAD}${prev}"`) || !text.endsWith(tail)) {
    return { kind: "broken", reason: "hash mismatch: the line's prev/hash fields were moved (content edited)" };
  }
  const content = Buffer.concat([bytes.subarray(0, bytes.length - HASH_TAIL_LENGTH), Buffer.from("}")]);
  if (sha256Hex(content) !== hash) return { kind: "broken", reason: "hash mismatch: the line's content was changed after it was written" };
  return { kind: "line", prev, hash };
}

/**
 * Whether a line that is not JSON can be the beginning of a chained line cut off by an
 * interrupted write: it must match the head such a line would have had after `previous`
 * (the last good hash; unknown at the start of a file).
 */
export function looksCut(bytes: Buffer, previous: string | undefined): boolean {
  const text = bytes.toString("utf8");
  if (text.length === 0) return false;
  const head = previous === undefined ? CHAIN_HEAD : `${CHAIN_HEAD}${previous}"`;
  return text.length <= head.length ? head.startsWith(text) : text.startsWith(head);
}
