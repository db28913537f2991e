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

/** Reads a body up to `limit` bytes; refuses by Content-Length before reading when it can. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(new BodyTooLargeError());
  // Plain listeners: an async iterator over the request costs more than the JSON it carries.
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off("data", onData);
        req.resume();
        reject(new BodyTooLargeError());
        return;
      }
      chunks.push(chunk);
    };
    req.on("data", onData);
    req.once("end", () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.once("error", reject);
  });
}
