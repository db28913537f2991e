import { isJsonObject, mapArray, mapValues, type JsonObject } from "./copy-on-change.js";
import type { TextRedactor } from "./text-redactor.js";

/** Whether the value at `key` of `object` is left alone by a deep redaction (binary data). */
export type SkipField = (object: JsonObject, key: string) => boolean;

/**
 * Redacts every string leaf of a JSON value, in objects and arrays at any depth (object keys
 * are names, not text, and stay as they are). Returns the value itself when nothing matched.
 */
export function redactLeaves(value: unknown, redact: TextRedactor, skip?: SkipField): unknown {
  if (typeof value === "string") return redact(value);
  if (Array.isArray(value)) return mapArray(value, (element) => redactLeaves(element, redact, skip));
  if (isJsonObject(value)) {
    return mapValues(value, (child, key) => (skip?.(value, key) ? child : redactLeaves(child, redact, skip)));
  }
  return value;
}

/**
 * MCP's base64 fields: a resource's `blob`, and the `data` of image and audio content. A
 * pattern matching inside base64 would only corrupt the binary, never hide a readable secret.
 */
export const isBinaryField: SkipField = (object, key) =>
  key === "blob" || (key === "data" && (object.type === "image" || object.type === "audio"));
