import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { isIP } from "node:net";
import { refuse } from "./http-errors.js";

/** An answer to a probe or an admin request: HTTP status and a JSON body. */
export interface AdminAnswer {
  readonly status: number;
  readonly body: unknown;
}

/**
 * What the health, status, metrics and admin endpoints need of the gateway, as plain
 * functions: bindings know no runtime types, the runtime implements these (src/runtime/ops).
 */
export interface AdminHandlers {
  /** GET /healthz: the process is up. */
  health(): AdminAnswer;
  /** GET /readyz: a config serves, required backends started, not draining. */
  ready(): AdminAnswer;
  /** GET /status as JSON. Must hold no secret. */
  status(): unknown;
  /** GET /status for a browser: one self-contained HTML page, everything in it escaped. */
  statusHtml(): string;
  /** GET /metrics: Prometheus exposition text. */
  metrics(): Promise<{ contentType: string; text: string }>;
  /** POST /admin/reload: the reload's outcome, or undefined when the gateway has no way to reload (501). */
  reload(): Promise<AdminAnswer> | undefined;
  readonly access: AdminAccess;
}

/** Who may reach /status, /metrics and /admin/* (`admin` in the config). */
export interface AdminAccess {
  readonly exposure: "loopback" | "public" | "token";
  /** The admin token, revealed only to compare; undefined when none is configured. */
  readonly token: (() => string) | undefined;
  /** `admin.reload`: POST /admin/reload is served (404 while false). */
  readonly reload: boolean;
}

const PROBES = new Set(["/healthz", "/readyz"]);
const GUARDED = new Set(["/status", "/metrics"]);

/** Safe headers for every admin answer: never cached, never sniffed, never framed. */
const COMMON_HEADERS = { "cache-control": "no-store", "x-content-type-options": "nosniff", "referrer-policy": "no-referrer" };
/** The status page is styled inline and runs no script; nothing else may load or run in it. */
const HTML_HEADERS = {
  ...COMMON_HEADERS,
  "content-type": "text/html; charset=utf-8",
  "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
};

/**
 * Serves the health, status, metrics and admin paths, before (and never behind) the MCP
 * endpoint's own authentication: probes must answer whatever the clients' auth is.
 * Returns false for any other path, which the caller answers as it would otherwise.
 * `authenticate` is the binding's own auth, used for reload when no admin token is set.
 */
export async function serveAdmin(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  admin: AdminHandlers,
  authenticate: (headers: IncomingMessage["headers"]) => boolean | Promise<boolean>,
): Promise<boolean> {
  const isAdminPath = path === "/admin" || path.startsWith("/admin/");
  if (!PROBES.has(path) && !GUARDED.has(path) && !isAdminPath) return false;
  if (PROBES.has(path)) {
    if (!readOnly(req, res)) return true;
    const answer = path === "/healthz" ? admin.health() : admin.ready();
    sendJson(res, answer.status, answer.body, req.method === "HEAD");
    return true;
  }
  // A hidden endpoint is answered exactly as a path that does not exist.
  const access = admitted(req, admin.access);
  if (access === "hidden") return notFound(res, path);
  if (access === "unauthenticated") {
    refuse(res, 401, "ADMIN_UNAUTHENTICATED", "Unauthorized: this endpoint needs the admin token (Authorization: Bearer <admin.token>)", { "www-authenticate": 'Bearer realm="mcp-proxy-admin"' });
    return true;
  }
  if (path === "/status") {
    if (!readOnly(req, res)) return true;
    if (wantsHtml(req)) res.writeHead(200, HTML_HEADERS).end(req.method === "HEAD" ? undefined : admin.statusHtml());
    else sendJson(res, 200, admin.status(), req.method === "HEAD");
    return true;
  }
  if (path === "/metrics") {
    if (!readOnly(req, res)) return true;
    const { contentType, text } = await admin.metrics();
    res.writeHead(200, { ...COMMON_HEADERS, "content-type": contentType }).end(req.method === "HEAD" ? undefined : text);
    return true;
  }
  if (path !== "/admin/reload" || !admin.access.reload) return notFound(res, path);
  if (req.method !== "POST") {
    refuse(res, 405, "HTTP_METHOD_NOT_ALLOWED", "Method not allowed", { allow: "POST" });
    return true;
  }
  // Reloading changes what everyone is served: it takes a credential even where reading status does not.
  const allowed = admin.access.token ? bearerMatches(req, admin.access.token()) : await authenticate(req.headers);
  if (!allowed) {
    const which = admin.access.token ? "the admin token" : "a credential the binding accepts";
    refuse(res, 401, "ADMIN_UNAUTHENTICATED", `Unauthorized: reloading needs ${which} (Authorization: Bearer …)`, { "www-authenticate": 'Bearer realm="mcp-proxy-admin"' });
    return true;
  }
  // The body, if any, carries nothing: drain it so the connection stays usable.
  req.resume();
  const reloading = admin.reload();
  if (!reloading) {
    refuse(res, 501, "RELOAD_UNAVAILABLE", "Not implemented: this gateway cannot reload its config");
    return true;
  }
  const answer = await reloading;
  sendJson(res, answer.status, answer.body, false);
  return true;
}

/** Whether the request may reach the guarded endpoints under the configured exposure. */
function admitted(req: IncomingMessage, access: AdminAccess): "ok" | "hidden" | "unauthenticated" {
  if (access.exposure === "public") return "ok";
  if (access.exposure === "loopback") return isLoopbackAddress(req.socket.remoteAddress) ? "ok" : "hidden";
  return access.token && bearerMatches(req, access.token()) ? "ok" : "unauthenticated";
}

/** 127.0.0.0/8 and ::1, also as IPv4-mapped IPv6 (a dual-stack listener's view of 127.0.0.1). */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith("::ffff:") ? address.slice(7) : address;
  if (isIP(v4) === 4) return v4.startsWith("127.");
  return address === "::1";
}

function bearerMatches(req: IncomingMessage, expected: string): boolean {
  const header = req.headers.authorization;
  const presented = typeof header === "string" ? /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] : undefined;
  if (presented === undefined) return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  // Compared in constant time, so response timing tells nothing about how much of it matched.
  return a.length === b.length && timingSafeEqual(a, b);
}

function notFound(res: ServerResponse, path: string): true {
  refuse(res, 404, "NOT_FOUND", `Not found: ${path}`);
  return true;
}

function readOnly(req: IncomingMessage, res: ServerResponse): boolean {
  if (req.method === "GET" || req.method === "HEAD") return true;
  refuse(res, 405, "HTTP_METHOD_NOT_ALLOWED", "Method not allowed", { allow: "GET, HEAD" });
  return false;
}

/** A browser asks for HTML first; curl, Prometheus and scripts get JSON. */
function wantsHtml(req: IncomingMessage): boolean {
  const accept = req.headers.accept ?? "";
  return /\btext\/html\b/i.test(accept) && !/^\s*application\/json\b/i.test(accept);
}

function sendJson(res: ServerResponse, status: number, body: unknown, headOnly: boolean): void {
  const text = JSON.stringify(body, null, 2);
  res.writeHead(status, { ...COMMON_HEADERS, "content-type": "application/json", "content-length": Buffer.byteLength(text) }).end(headOnly ? undefined : text);
}
