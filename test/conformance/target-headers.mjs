// The conformance target's SEP-2243 custom-header tool and the server-side check of its
// `Mcp-Param-*` headers, for the 0.2.0 alpha's http-custom-header-server-validation scenario.
// The SDK checks these headers only for tools registered on an McpServer; the target is built
// on the low-level Server, so it checks them itself, before the modern handler runs:
// a tools/call whose arguments carry a value for a property marked `x-mcp-header: NAME` must come
// with an `Mcp-Param-NAME` header equal to that value, literally or as `=?base64?…?=` (canonical
// Base64 of its UTF-8); otherwise HTTP 400 with JSON-RPC error -32020 (HeaderMismatch).
const HEADER_MISMATCH = -32020;
const BASE64_PREFIX = "=?base64?";
const BASE64_SUFFIX = "?=";
const CANONICAL_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export const HEADER_TOOL = {
  name: "test_custom_header",
  description: "Echoes a region that the caller also sends as the Mcp-Param-Region header (SEP-2243)",
  inputSchema: {
    type: "object",
    properties: { region: { type: "string", description: "A region name", "x-mcp-header": "Region" } },
    required: ["region"],
  },
};

export function callHeaderTool(request) {
  if (request.params.name !== HEADER_TOOL.name) return undefined;
  return { content: [{ type: "text", text: `region: ${String(request.params.arguments?.region)}` }] };
}

/** The header's value as the caller meant it, or undefined for a malformed Base64 form. */
function decode(value) {
  if (!(value.startsWith(BASE64_PREFIX) && value.endsWith(BASE64_SUFFIX) && value.length >= BASE64_PREFIX.length + BASE64_SUFFIX.length)) return value;
  const payload = value.slice(BASE64_PREFIX.length, value.length - BASE64_SUFFIX.length);
  if (!CANONICAL_BASE64.test(payload)) return undefined;
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(Buffer.from(payload, "base64"));
  } catch {
    return undefined;
  }
}

/** The refusal for a tools/call body whose Mcp-Param-* headers disagree with it, else undefined. */
export function customHeaderMismatch(body, headers) {
  if (body?.method !== "tools/call" || body.params?.name !== HEADER_TOOL.name) return undefined;
  const args = body.params.arguments ?? {};
  for (const [property, schema] of Object.entries(HEADER_TOOL.inputSchema.properties)) {
    const name = schema["x-mcp-header"];
    const value = args[property];
    if (name === undefined || value === undefined || value === null) continue;
    const raw = headers[`mcp-param-${name.toLowerCase()}`];
    const header = typeof raw === "string" ? raw.trim() : undefined;
    let problem;
    if (header === undefined) problem = `the body carries ${property} but the Mcp-Param-${name} header is absent`;
    else if (decode(header) === undefined) problem = `the Mcp-Param-${name} header is not valid Base64`;
    else if (decode(header) !== String(value)) problem = `the Mcp-Param-${name} header does not match ${property} in the body`;
    if (problem !== undefined) return { jsonrpc: "2.0", id: body.id ?? null, error: { code: HEADER_MISMATCH, message: `Bad Request: ${problem}` } };
  }
  return undefined;
}
