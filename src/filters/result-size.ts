import { ProxyError } from "../core/errors.js";
import type { Result } from "./types.js";

/** The smallest maxResultBytes among combined filters, and the filter it comes from. */
export interface ResultLimit {
  readonly filter: string;
  readonly limit: number;
}

/**
 * Refuses a result whose JSON is more than `limit` UTF-8 bytes. One serialisation; the exact
 * byte count is only taken when the length in UTF-16 units cannot decide (a unit is 1 to 3
 * bytes in UTF-8, a surrogate pair 4 bytes for 2 units).
 */
export function checkResultSize(result: Result, { filter, limit }: ResultLimit): void {
  const json = JSON.stringify(result);
  if (json.length * 3 <= limit) return;
  const bytes = Buffer.byteLength(json, "utf8");
  if (bytes <= limit) return;
  throw new ProxyError("RESULT_TOO_LARGE", `result of ${bytes} bytes is over filter "${filter}"'s maxResultBytes of ${limit}`, { filter, bytes, limit });
}
