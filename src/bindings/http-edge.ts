import { isIP } from "node:net";
import type { IncomingMessage, ServerResponse } from "node:http";
import { type AddressRanges, addressRanges } from "../core/address-ranges.js";
import type { AuthEdge } from "../core/authentication.js";

/** Where RFC 9728 puts a resource's metadata: this, or this followed by the resource's path. */
export const METADATA_ROOT = "/.well-known/oauth-protected-resource";
const CORS_ALLOWED_HEADERS = "Authorization, Content-Type, Mcp-Session-Id, MCP-Protocol-Version, Last-Event-ID, Mcp-Method, Mcp-Name";
const CORS_EXPOSED_HEADERS = "Mcp-Session-Id, WWW-Authenticate";
const HOST_SHAPE = /^[A-Za-z0-9.\-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;

/** What a binding knows of the network in front of it. */
export interface EdgeSettings {
  /** The MCP endpoint's path on this listener. */
  readonly path: string;
  readonly publicUrl?: string | undefined;
  readonly trustedProxies: readonly string[];
  readonly corsOrigins: readonly string[];
  readonly tls: boolean;
}

/**
 * The binding's view of the edge it sits at: the URL clients know it by (its resource for
 * RFC 9728 and the default token audience), who the client is when a trusted proxy forwards
 * for it, and CORS for browser clients. Forwarded headers from any other peer are ignored: a
 * client could otherwise write its own address into the audit trail.
 */
export class HttpEdge {
  readonly #trusted: AddressRanges;
  readonly #cors: ReadonlySet<string>;
  readonly #metadataPaths: ReadonlySet<string>;
  /** Fixed when publicUrl is configured; otherwise derived per request from Host. */
  readonly #public: AuthEdge | undefined;

  constructor(private readonly settings: EdgeSettings) {
    this.#trusted = addressRanges(settings.trustedProxies);
    this.#cors = new Set(settings.corsOrigins);
    const paths = new Set([METADATA_ROOT, metadataPathOf(settings.path)]);
    if (settings.publicUrl) {
      const url = new URL(settings.publicUrl);
      this.#public = { resource: settings.publicUrl, resourceMetadata: `${url.origin}${metadataPathOf(url.pathname)}` };
      // A load balancer that strips or rewrites a path prefix forwards the public form.
      paths.add(metadataPathOf(url.pathname));
    }
    this.#metadataPaths = paths;
  }

  /** The client's address: the peer's, or, from a trusted proxy, the nearest untrusted hop of X-Forwarded-For. */
  clientAddress(req: IncomingMessage): string | undefined {
    const peer = req.socket.remoteAddress;
    const forwarded = req.headers["x-forwarded-for"];
    if (forwarded === undefined || !this.#trusted.has(peer)) return peer;
    const hops = (Array.isArray(forwarded) ? forwarded.join(",") : forwarded).split(",").map((h) => h.trim());
    // Read from the right: each trusted proxy appended the address it received from.
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = hops[i]!;
      if (isIP(hop) === 0) return peer;
      if (!this.#trusted.has(hop) || i === 0) return hop;
    }
    return peer;
  }

  /** Whether a peer is a trusted proxy (its connections carry many clients). */
  isTrusted(address: string | undefined): boolean {
    return this.#trusted.has(address);
  }

  /** The resource and metadata URLs the client knows this binding by. */
  edgeOf(req: IncomingMessage): AuthEdge {
    if (this.#public) return this.#public;
    const scheme = this.#scheme(req);
    const base = `${scheme}://${this.#hostOf(req, scheme)}`;
    return { resource: `${base}${this.settings.path}`, resourceMetadata: `${base}${metadataPathOf(this.settings.path)}` };
  }

  isMetadataPath(path: string): boolean {
    return this.#metadataPaths.has(path);
  }

  /**
   * Adds CORS headers to the answer for an allowed browser origin, and answers its preflight
   * (OPTIONS with Access-Control-Request-Method) on the paths this binding serves; true when
   * the preflight has been answered. Without `cors` nothing is added: browsers then refuse
   * cross-origin calls, which is the safe default.
   */
  cors(req: IncomingMessage, res: ServerResponse, served: boolean): boolean {
    const origin = req.headers.origin;
    // The answer depends on Origin whenever CORS is on, also when it is refused or absent: a
    // shared cache (the metadata is cacheable) must not hand one origin's answer to another.
    if (this.#cors.size > 0) res.setHeader("vary", "Origin");
    if (origin === undefined || !this.#cors.has(origin)) return false;
    res.setHeader("access-control-allow-origin", origin);
    res.setHeader("access-control-expose-headers", CORS_EXPOSED_HEADERS);
    if (req.method !== "OPTIONS" || req.headers["access-control-request-method"] === undefined || !served) return false;
    res.writeHead(204, {
      "access-control-allow-methods": "GET, POST, DELETE, OPTIONS",
      "access-control-allow-headers": CORS_ALLOWED_HEADERS,
      "access-control-max-age": "600",
      "content-length": "0",
    });
    res.end();
    return true;
  }

  /** An origin the binding gives CORS to passes the Origin guard too. */
  corsAllows(origin: string | undefined): boolean {
    return origin !== undefined && this.#cors.has(origin);
  }

  /**
   * The Host the resource is named by. The resource is the default token audience, so a Host a
   * client may pick freely would let it present a token minted for another service (another
   * MCP server on `localhost:4000`, another machine's IP): from a direct client the Host must
   * name this listener (its port, and for an IP literal its own address), else the listener's
   * own address is used. A trusted proxy's Host is believed; `publicUrl` is the sure way there.
   */
  #hostOf(req: IncomingMessage, scheme: "http" | "https"): string {
    const socket = req.socket;
    const local = socket.localAddress?.replace(/^::ffff:/, "") ?? "127.0.0.1";
    const own = `${isIP(local) === 6 ? `[${local}]` : local}:${socket.localPort ?? 0}`;
    const host = req.headers.host;
    // The Host guard has passed it; the pattern keeps anything else out of a quoted challenge header anyway.
    if (host === undefined || !HOST_SHAPE.test(host)) return own;
    if (this.#trusted.has(socket.remoteAddress)) return host;
    const parsed = /^(.*?)(?::(\d+))?$/.exec(host)!;
    const port = parsed[2] !== undefined ? Number(parsed[2]) : scheme === "https" ? 443 : 80;
    if (port !== socket.localPort) return own;
    const name = parsed[1]!.replace(/^\[|\]$/g, "").replace(/^::ffff:/i, "");
    if (isIP(name) !== 0 && name.toLowerCase() !== local.toLowerCase()) return own;
    return host;
  }

  #scheme(req: IncomingMessage): "http" | "https" {
    if (this.settings.tls) return "https";
    const proto = req.headers["x-forwarded-proto"];
    if (typeof proto === "string" && this.#trusted.has(req.socket.remoteAddress)) {
      const first = proto.split(",")[0]!.trim().toLowerCase();
      if (first === "https" || first === "http") return first;
    }
    return "http";
  }
}

function metadataPathOf(resourcePath: string): string {
  return resourcePath === "/" || resourcePath === "" ? METADATA_ROOT : `${METADATA_ROOT}${resourcePath}`;
}
