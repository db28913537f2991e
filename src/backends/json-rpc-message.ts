/**
 * Whether a value a backend sent is a JSON-RPC 2.0 message the proxy can act on: a request,
 * a notification, or a response with a result object or an error. Everything past this
 * check may be read without guarding its shape, so one odd line cannot throw in the proxy.
 */
export function isJsonRpcMessage(value: unknown): boolean {
  if (!isRecord(value) || value.jsonrpc !== "2.0") return false;
  const hasId = typeof value.id === "string" || (typeof value.id === "number" && Number.isFinite(value.id));
  if ("method" in value) {
    return typeof value.method === "string" && (value.id === undefined || hasId) && (value.params === undefined || isRecord(value.params));
  }
  if (!hasId) return false;
  if ("error" in value) return isRecord(value.error) && Number.isSafeInteger(value.error.code) && typeof value.error.message === "string";
  return isRecord(value.result);
}

/** A short, single-line excerpt of what a backend sent, safe to put in a log line. */
export function excerptOf(value: unknown, max = 120): string {
  let text: string;
  try {
    text = typeof value === "string" ? value : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  text = text.replace(/\s+/g, " ");
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} characters)`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
