import type { IncomingMessage, ServerResponse } from "node:http";
import { classifyInboundRequest, type JSONRPCRequest } from "@modelcontextprotocol/server";
import { Cancellation } from "../core/cancellation.js";
import type { RequestInfo } from "../core/context.js";
import { modernEnvelope } from "../core/era.js";
import { errorResponse, ProxyError } from "../core/errors.js";
import { decodeParamValue } from "../core/param-headers.js";
import type { ModernAnswerer } from "./session-factory.js";

/** The spec's rejections the SDK's classifier can give, by JSON-RPC code, named by our table. */
const REASONS: Readonly<Record<number, string>> = {
  [-32600]: "INVALID_REQUEST",
  [-32602]: "INVALID_PARAMS",
  [-32020]: "HEADER_MISMATCH",
  [-32021]: "MISSING_CLIENT_CAPABILITY",
  [-32022]: "VERSION_NOT_SUPPORTED",
};

/** Methods whose `Mcp-Name` header must repeat what the body names, and where the body names it. */
const NAMED: Readonly<Record<string, string>> = {
  "tools/call": "name",
  "prompts/get": "name",
  "resources/read": "uri",
  "tasks/get": "taskId",
  "tasks/update": "taskId",
  "tasks/cancel": "taskId",
};

const header = (req: IncomingMessage, name: string): string | undefined => {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/**
 * Serves one POST if it is a 2026-07-28 request (its `_meta` claims the modern era; the spec
 * tells eras apart per request) and returns true; false leaves it to legacy serving. Headers
 * are checked against the body: the SDK's classifier first, then what it leaves to servers
 * (a missing MCP-Protocol-Version or Mcp-Method, Mcp-Name), each refused with HTTP 400 and
 * the spec's code. Without a session, the classifier also decides for a request that does not
 * claim the era: one that is 2026-07-28 by its MCP-Protocol-Version header but lacks (part
 * of) the envelope is refused as the spec says (-32602 with the request's id), not answered
 * as a legacy request without a session.
 */
export async function serveModernPost(req: IncomingMessage, res: ServerResponse, body: unknown, info: RequestInfo, modern: ModernAnswerer | undefined): Promise<boolean> {
  if (!modern || !isMessage(body)) return false;
  if (!modernEnvelope(body) && header(req, "mcp-session-id") !== undefined) return false;
  const outcome = classifyInboundRequest({
    httpMethod: "POST",
    protocolVersionHeader: header(req, "mcp-protocol-version"),
    mcpMethodHeader: header(req, "mcp-method"),
    mcpNameHeader: header(req, "mcp-name"),
    body,
  });
  if (outcome.kind === "legacy") return false;
  const id = typeof (body as { id?: unknown }).id === "string" || typeof (body as { id?: unknown }).id === "number" ? ((body as { id: string | number }).id) : null;
  if (outcome.kind === "reject") {
    const data = { ...(typeof outcome.data === "object" && outcome.data !== null ? outcome.data : {}), reason: REASONS[outcome.code] ?? "INVALID_REQUEST" };
    return send(res, outcome.httpStatus, { jsonrpc: "2.0", id, error: { code: outcome.code, message: outcome.message, data } });
  }
  // A notification (cancelled, say) has nothing to answer in a stateless exchange.
  if (outcome.messageKind === "notification") return void res.writeHead(202).end(), true;
  const mismatch = headerMismatch(req, outcome.message);
  if (mismatch) return send(res, 400, errorResponse(id, mismatch));
  const cancellation = new Cancellation();
  // A client that hangs up has stopped waiting: its request is cancelled, upstream too.
  res.once("close", () => {
    if (!res.writableFinished) cancellation.cancel("the client closed the connection");
  });
  if (outcome.message.method === "subscriptions/listen") return listen(res, outcome.message, info, modern, cancellation);
  // JSON unless the request has something to say before its answer (progress): then SSE.
  const reply = await modern.answer(outcome.message, info, cancellation, (message) => writeEvent(res, message));
  if (!res.headersSent) return send(res, statusOf(reply), reply);
  if (!res.writableEnded && !res.destroyed) res.end(event(reply));
  return true;
}

const event = (message: unknown) => `event: message\ndata: ${JSON.stringify(message)}\n\n`;

/** One SSE event; the first one turns the answer into a stream. */
function writeEvent(res: ServerResponse, message: Record<string, unknown>): void {
  if (res.writableEnded || res.destroyed) return;
  if (!res.headersSent) res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
  res.write(event(message));
}

/**
 * The spec maps three refusals onto HTTP statuses a client can read before the body: a removed
 * or unknown method is 404; an unsupported version, and a missing client capability (a
 * backend's -32021, passed on), 400. A full scope table is 503, as a full session table is.
 */
function statusOf(reply: Record<string, unknown>): number {
  const error = (reply as { error?: { code?: number; data?: { reason?: unknown; envelope?: unknown } } }).error;
  const code = error?.code;
  // No room for the caller's scope: the legacy answer to a session beyond the cap, so a client may retry.
  if (error?.data?.reason === "TOO_MANY_SESSIONS") return 503;
  // An envelope the era's classifier let through but the gateway refuses: 400, as the classifier's own.
  if (code === -32602 && error?.data?.envelope !== undefined) return 400;
  return code === -32601 ? 404 : code === -32022 || code === -32021 || code === -32020 ? 400 : 200;
}

/** A single JSON-RPC request or notification (what the era classifier judges); anything else stays with legacy serving. */
function isMessage(body: unknown): boolean {
  return typeof body === "object" && body !== null && !Array.isArray(body) && typeof (body as { method?: unknown }).method === "string";
}

/** What the classifier leaves to the server: headers the spec requires but that are absent, and Mcp-Name. */
function headerMismatch(req: IncomingMessage, message: JSONRPCRequest): ProxyError | undefined {
  if (header(req, "mcp-protocol-version") === undefined) return new ProxyError("HEADER_MISMATCH", "Bad Request: a 2026-07-28 request needs the MCP-Protocol-Version header");
  if (header(req, "mcp-method") === undefined) return new ProxyError("HEADER_MISMATCH", "Bad Request: a 2026-07-28 request needs the Mcp-Method header");
  const field = NAMED[message.method];
  if (!field) return undefined;
  const named = (message.params as Record<string, unknown> | undefined)?.[field];
  const raw = header(req, "mcp-name");
  if (raw === undefined) return new ProxyError("HEADER_MISMATCH", `Bad Request: ${message.method} needs the Mcp-Name header`);
  const given = decodeParamValue(raw.trim());
  if (given === undefined) return new ProxyError("HEADER_MISMATCH", "Bad Request: the Mcp-Name header is not valid Base64 of UTF-8");
  if (given !== named) return new ProxyError("HEADER_MISMATCH", `Bad Request: the Mcp-Name header names ${JSON.stringify(given)} but the body names ${JSON.stringify(named)}`);
  return undefined;
}

/** A listen stream is SSE from its acknowledgement on; a refusal before it is a plain JSON answer. */
async function listen(res: ServerResponse, request: JSONRPCRequest, info: RequestInfo, modern: ModernAnswerer, cancellation: Cancellation): Promise<true> {
  const reply = await modern.listen(request, info, (message) => writeEvent(res, message), cancellation);
  if (!res.headersSent) return send(res, statusOf(reply), reply);
  if (!res.writableEnded && !res.destroyed) res.end(event(reply));
  return true;
}

function send(res: ServerResponse, status: number, payload: unknown): true {
  const text = JSON.stringify(payload);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) }).end(text);
  return true;
}
