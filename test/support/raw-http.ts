import { readFileSync } from "node:fs";
import { type IncomingMessage, request } from "node:http";

/** Hand-made HTTP for tests that must behave as no SDK client would: never read, never initialize. */

/** A process's resident memory in bytes, from /proc (VmRSS). */
export function rssOf(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
  return Number(kb) * 1024;
}

export const MIB = 1024 * 1024;

const JSON_HEADERS = { "content-type": "application/json", accept: "application/json, text/event-stream" };

export async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; text: string; json(): any }> {
  const res = await fetch(url, { method: "POST", headers: { ...JSON_HEADERS, ...headers }, body: typeof body === "string" ? body : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, text, json: () => JSON.parse(text) };
}

/** A request on a connection of its own (fetch would reuse a pooled one). */
export function postOnNewConnection(url: string, body: unknown): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", agent: false, headers: JSON_HEADERS }, (res) => {
      let text = "";
      res.on("data", (chunk: Buffer) => (text += chunk.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(JSON.stringify(body));
  });
}

export const initializeRequest = (id: number | string = 0) => ({
  jsonrpc: "2.0",
  id,
  method: "initialize",
  params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "1" } },
});

export const initialized = { jsonrpc: "2.0", method: "notifications/initialized" };

/** A Streamable HTTP session that completed its handshake; returns the headers later requests need. */
export async function openSession(url: string): Promise<Record<string, string>> {
  const res = await fetch(url, { method: "POST", headers: JSON_HEADERS, body: JSON.stringify(initializeRequest()) });
  await res.text();
  const sessionId = res.headers.get("mcp-session-id");
  if (!sessionId) throw new Error(`no session (HTTP ${res.status})`);
  const headers = { "mcp-session-id": sessionId, "mcp-protocol-version": "2025-06-18" };
  await post(url, initialized, headers);
  return headers;
}

export interface UnreadResponse {
  readonly status: number;
  readonly headers: IncomingMessage["headers"];
  /** What was read before reading stopped. */
  readonly first: string;
  /**
   * Starts reading again and resolves with the bytes read until the proxy ended the stream, or
   * rejects when it is still going after `ms`. (A paused socket cannot notice that the proxy
   * closed it: it is only seen by reading what the kernel still holds.)
   */
  readToEnd(ms: number): Promise<number>;
  /** Reads until `text` has arrived, then stops reading again. */
  readUntil(text: string, ms: number): Promise<void>;
  destroy(): void;
}

/** Sends a request and stops reading the answer once its headers (and `readFirst` bytes) have arrived: a client that has gone quiet without closing. */
export function requestWithoutReading(url: string, options: { method?: string; headers?: Record<string, string>; body?: unknown; readFirst?: number } = {}): Promise<UnreadResponse> {
  return new Promise((resolve, reject) => {
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    const req = request(url, { method: options.method ?? "POST", headers: { ...JSON_HEADERS, ...options.headers } });
    req.on("response", (res) => {
      res.on("error", () => undefined);
      let first = "";
      const readToEnd = (ms: number) =>
        new Promise<number>((done, fail) => {
          let bytes = 0;
          const timer = setTimeout(() => {
            req.destroy();
            fail(new Error(`the stream was still open after ${ms} ms (${bytes} bytes read)`));
          }, ms);
          res.on("data", (chunk: Buffer) => (bytes += chunk.length));
          const ended = () => {
            clearTimeout(timer);
            done(bytes);
          };
          // Ended (the connection kept alive) or closed (cut off).
          res.once("end", ended);
          res.socket.once("close", ended);
          res.resume();
        });
      const readUntil = (text: string, ms: number) =>
        new Promise<void>((done, fail) => {
          let seen = "";
          const timer = setTimeout(() => fail(new Error(`"${text}" did not arrive in ${ms} ms`)), ms);
          const onChunk = (chunk: Buffer) => {
            seen += chunk.toString();
            if (!seen.includes(text)) return;
            clearTimeout(timer);
            res.off("data", onChunk);
            res.pause();
            done();
          };
          res.on("data", onChunk);
          res.resume();
        });
      const settle = () => {
        res.pause();
        res.off("data", onData);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, first, readToEnd, readUntil, destroy: () => req.destroy() });
      };
      const onData = (chunk: Buffer) => {
        first += chunk.toString();
        if (first.length >= (options.readFirst ?? 1)) settle();
      };
      if (!options.readFirst) return settle();
      res.on("data", onData);
    });
    req.once("error", reject);
    req.end(body);
  });
}
