/**
 * SEP-2243 (2026-07-28 over HTTP): a tool's inputSchema may mark a primitive property with
 * `x-mcp-header: NAME`; a tools/call whose arguments carry a value there travels with an
 * `Mcp-Param-NAME` header repeating it, so intermediaries can route on it without reading the
 * body. The value goes as it is when it is plain printable ASCII, else as `=?base64?…?=` (the
 * Base64 of its UTF-8). Pure: no I/O, used by the gateway as a server (checking what a client
 * sent) and as a client (setting them towards a modern HTTP backend).
 */

export const PARAM_HEADER_PREFIX = "Mcp-Param-";
const BASE64_PREFIX = "=?base64?";
const BASE64_SUFFIX = "?=";
/** Padded, canonical Base64: what the spec lets a sender produce, and all a receiver accepts. */
const CANONICAL_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** RFC 9110 token characters: a header name suffix must be one. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Sent as is: printable ASCII without leading or trailing space, and not looking like the sentinel. */
const PLAIN = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/;
const PRIMITIVE_TYPES: ReadonlySet<string> = new Set(["string", "integer", "number", "boolean"]);

/** One marked property: the header suffix, where the value sits in `arguments`, and its JSON Schema type. */
export interface ParamHeader {
  readonly name: string;
  readonly path: readonly string[];
  readonly type: string | undefined;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * The marked properties of an inputSchema, reached through `properties` only (the spec allows
 * the mark nowhere else). A malformed mark (not a token, not on a primitive, a name used twice)
 * is left out: such a tool is one a conforming client would not call with headers anyway.
 */
export function paramHeadersOf(inputSchema: unknown): ParamHeader[] {
  const found: ParamHeader[] = [];
  const seen = new Set<string>();
  const walk = (schema: Record<string, unknown>, path: readonly string[], depth: number): void => {
    if (depth > 32 || !isObject(schema.properties)) return;
    for (const [key, property] of Object.entries(schema.properties)) {
      if (!isObject(property)) continue;
      const mark = property["x-mcp-header"];
      const type = typeof property.type === "string" ? property.type : undefined;
      if (typeof mark === "string" && TOKEN.test(mark) && (type === undefined || PRIMITIVE_TYPES.has(type)) && !seen.has(mark.toLowerCase())) {
        seen.add(mark.toLowerCase());
        found.push({ name: mark, path: [...path, key], type });
      }
      walk(property, [...path, key], depth + 1);
    }
  };
  if (isObject(inputSchema)) walk(inputSchema, [], 0);
  return found;
}

function valueAt(args: unknown, path: readonly string[]): unknown {
  let node = args;
  for (const key of path) node = isObject(node) ? node[key] : undefined;
  return node;
}

/** A primitive argument as header text; undefined for anything else (no header is sent or expected). */
function textOf(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "boolean" || (typeof value === "number" && Number.isFinite(value))) return String(value);
  return undefined;
}

export function encodeParamValue(text: string): string {
  if (PLAIN.test(text) && !text.startsWith(BASE64_PREFIX)) return text;
  return `${BASE64_PREFIX}${Buffer.from(text, "utf8").toString("base64")}${BASE64_SUFFIX}`;
}

/** The value a header carries; undefined for a sentinel whose payload is not canonical Base64 of UTF-8. */
export function decodeParamValue(value: string): string | undefined {
  if (!(value.length >= BASE64_PREFIX.length + BASE64_SUFFIX.length && value.startsWith(BASE64_PREFIX) && value.endsWith(BASE64_SUFFIX))) return value;
  const payload = value.slice(BASE64_PREFIX.length, value.length - BASE64_SUFFIX.length);
  if (!CANONICAL_BASE64.test(payload)) return undefined;
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(Buffer.from(payload, "base64"));
  } catch {
    return undefined;
  }
}

/** The `Mcp-Param-*` headers a tools/call with these arguments must carry. */
export function paramHeadersFor(headers: readonly ParamHeader[], args: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const header of headers) {
    const text = textOf(valueAt(args, header.path));
    if (text !== undefined) out[`${PARAM_HEADER_PREFIX}${header.name}`] = encodeParamValue(text);
  }
  return out;
}

/** A tool's marks, worked out once per listed tool object. */
const marksOfTool = new WeakMap<object, ParamHeader[]>();

export function paramHeadersOfTool(tool: Record<string, unknown>): ParamHeader[] {
  let marks = marksOfTool.get(tool);
  if (!marks) marksOfTool.set(tool, (marks = paramHeadersOf(tool.inputSchema)));
  return marks;
}

/**
 * Why the headers of a tools/call disagree with its arguments, or undefined when they agree: a
 * value in the body needs its header, equal once decoded (numbers compared as numbers); a
 * header for an absent or null value is ignored, as the spec says.
 */
export function paramHeaderMismatch(headers: readonly ParamHeader[], args: unknown, read: (lowerCaseName: string) => string | undefined): string | undefined {
  for (const header of headers) {
    const body = valueAt(args, header.path);
    const text = textOf(body);
    if (text === undefined) continue;
    const name = `${PARAM_HEADER_PREFIX}${header.name}`;
    const raw = read(name.toLowerCase())?.trim();
    if (raw === undefined) return `the body carries ${header.path.join(".")} but the ${name} header is absent`;
    const given = decodeParamValue(raw);
    if (given === undefined) return `the ${name} header is not valid Base64 of UTF-8`;
    const equal = typeof body === "number" && /^-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?$/.test(given) ? Number(given) === body : given === text;
    if (!equal) return `the ${name} header does not match ${header.path.join(".")} in the body`;
  }
  return undefined;
}
