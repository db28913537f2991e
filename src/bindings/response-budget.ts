import { errorResponse, ProxyError } from "../core/errors.js";
import type { Message } from "./json-rpc-shape.js";

/**
 * Serialises one answer within what its request (or batch) may still produce. An answer that
 * would pass `limit` is replaced by a RESPONSE_TOO_LARGE error for that request id, so a batch
 * of cheap requests with large answers (a thousand `tools/list`) can never build an answer
 * larger than the bound, and no request is left unanswered. An answer too large even to be a
 * string (V8 refuses past ~512 MB) fails the same way instead of throwing.
 */
export function serialiseAnswer(answer: Message, usedBytes: number, limit: number): { text: string; bytes: number } {
  let text: string | undefined;
  try {
    text = JSON.stringify(answer);
  } catch {
    text = undefined;
  }
  const bytes = text === undefined ? Infinity : Buffer.byteLength(text);
  if (text !== undefined && usedBytes + bytes <= limit) return { text, bytes };
  const refusal = JSON.stringify(
    errorResponse(
      answer.id ?? null,
      new ProxyError("RESPONSE_TOO_LARGE", `the answer would exceed the ${limit}-byte limit on answers to one request or batch (limits.maxResponseBytes)`, { limit }),
    ),
  );
  return { text: refusal, bytes: Buffer.byteLength(refusal) };
}
