import { isJsonObject, mapArray, withKey, withStringChanged, type JsonObject } from "./copy-on-change.js";
import { isBinaryField, redactLeaves } from "./redact-deep.js";
import type { TextRedactor } from "./text-redactor.js";
import type { Result } from "./types.js";

/**
 * Where redaction reaches, by the method whose result it is: every text a client is shown,
 * and nothing that is an identifier or binary.
 *
 * - `tools/call` (and `tasks/result`, whose payload is a tools/call result): in `content`, the
 *   `text` of text blocks, the `text` of embedded resources, and the `description` of
 *   resource links (free text written by the backend; their `uri` and `name` are identifiers a
 *   client follows, so they stay intact); every string leaf of `structuredContent`.
 * - `resources/read`: the `text` of each of `contents`.
 * - `prompts/get`: `description`, and each message's `content`, a content block as above (or
 *   an array of them).
 * - any other method (e.g. `completion/complete`): every string leaf except base64 fields,
 *   since there is no known shape to rely on and leaking is worse than over-redacting.
 *
 * Blobs, image and audio data, and `_meta` of the known shapes are never touched.
 */
export type ResultRedactor = (result: Result, redact: TextRedactor) => Result;

/** The redactor for one method's results. */
export function resultRedactorFor(method: string): ResultRedactor {
  switch (method) {
    case "tools/call":
    case "tasks/result":
      return redactToolResult;
    case "resources/read":
      return redactReadResult;
    case "prompts/get":
      return redactPromptResult;
    default:
      return (result, redact) => redactLeaves(result, redact, isBinaryField) as Result;
  }
}

function redactToolResult(result: Result, redact: TextRedactor): Result {
  let redacted = result;
  if (Array.isArray(result.content)) redacted = withKey(redacted, "content", mapArray(result.content, (block) => redactContentBlock(block, redact)));
  if (result.structuredContent !== undefined) redacted = withKey(redacted, "structuredContent", redactLeaves(result.structuredContent, redact));
  return redacted;
}

function redactReadResult(result: Result, redact: TextRedactor): Result {
  if (!Array.isArray(result.contents)) return result;
  return withKey(result, "contents", mapArray(result.contents, (contents) => redactResourceContents(contents, redact)));
}

function redactPromptResult(result: Result, redact: TextRedactor): Result {
  let redacted = withStringChanged(result, "description", redact);
  if (Array.isArray(result.messages)) redacted = withKey(redacted, "messages", mapArray(result.messages, (message) => redactMessage(message, redact)));
  return redacted;
}

function redactMessage(message: unknown, redact: TextRedactor): unknown {
  if (!isJsonObject(message) || message.content === undefined) return message;
  const content = message.content;
  const redacted = Array.isArray(content) ? mapArray(content, (block) => redactContentBlock(block, redact)) : redactContentBlock(content, redact);
  return withKey(message, "content", redacted);
}

/** One content block, as found in tool results and prompt messages. */
function redactContentBlock(block: unknown, redact: TextRedactor): unknown {
  if (!isJsonObject(block)) return block;
  switch (block.type) {
    case "text":
      return withStringChanged(block, "text", redact);
    case "resource":
      return isJsonObject(block.resource) ? withKey(block, "resource", redactResourceContents(block.resource, redact)) : block;
    case "resource_link":
      return withStringChanged(block, "description", redact);
    default:
      return block;
  }
}

/** Text resource contents are redacted; blob contents (base64) are left alone. */
function redactResourceContents(contents: unknown, redact: TextRedactor): unknown {
  return isJsonObject(contents) ? withStringChanged(contents as JsonObject, "text", redact) : contents;
}
