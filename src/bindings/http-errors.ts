import type { IncomingMessage, ServerResponse } from "node:http";
import { errorResponse, ProxyError, type ProxyErrorCode } from "../core/errors.js";

/**
 * Answers an HTTP-level refusal with a JSON-RPC error body, so MCP clients can show the
 * reason; the body comes from the one error table, with `data.reason` naming the refusal.
 */
export function refuse(res: ServerResponse, status: number, code: ProxyErrorCode, message: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const body = JSON.stringify(errorResponse(null, new ProxyError(code, message)));
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body), ...headers }).end(body);
}

export class BodyTooLargeError extends Error {}

/**
 * How much of a refused body is read and thrown away before the 413 goes out. A client still
 * writing when the socket closes sees a broken pipe instead of the answer (fetch, proxies in
 * front), so the rest of the body is drained first; past these bounds the client gets the 413
 * and the connection is closed anyway.
 */
const DRAIN_MAX_BYTES = 16 * 1024 * 1024;
const DRAIN_MAX_MS = 10_000;

/** Reads a body up to `limit` bytes; a larger one is drained (within bounds) and refused with BodyTooLargeError. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) return discardRest(req, declared > DRAIN_MAX_BYTES);
  // Plain listeners: an async iterator over the request costs more than the JSON it carries.
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      req.off("data", onData);
      req.off("end", onEnd);
      chunks.length = 0;
      discardRest(req, false, size).catch(reject);
    };
    const onEnd = () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    req.on("data", onData);
    req.once("end", onEnd);
    req.once("error", reject);
  });
}

/** Throws the rest of a refused body away, up to the drain bounds, then refuses it. */
function discardRest(req: IncomingMessage, tooLargeToDrain: boolean, seen = 0): Promise<never> {
  return new Promise((_resolve, reject) => {
    let discarded = seen;
    const refuse = () => {
      clearTimeout(timer);
      req.off("data", onData);
      req.off("end", refuse);
      req.off("close", refuse);
      reject(new BodyTooLargeError());
    };
    const onData = (chunk: Buffer) => {
      discarded += chunk.length;
      if (discarded > DRAIN_MAX_BYTES) refuse();
    };
    const timer = setTimeout(refuse, DRAIN_MAX_MS);
    if (tooLargeToDrain || req.readableEnded) return refuse();
    req.on("data", onData);
    req.once("end", refuse);
    req.once("close", refuse);
    req.resume();
  });
}
