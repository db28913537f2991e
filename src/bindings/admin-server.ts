import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type AdminHandlers, serveAdmin } from "./admin-routes.js";
import { refuse } from "./http-errors.js";
import { hostAllowed } from "./origin.js";

/**
 * The optional separate admin listener (`admin.listen`): the health, status, metrics and
 * admin endpoints only, no MCP. Useful to keep probes and scrapes on a port the outside
 * world cannot reach while the MCP binding is public. The same exposure rule applies.
 */
export class AdminServer {
  readonly #server: Server;

  constructor(
    private readonly address: { readonly host: string; readonly port: number },
    admin: AdminHandlers,
    authenticate: (headers: IncomingMessage["headers"]) => boolean | Promise<boolean>,
  ) {
    this.#server = createServer((req, res) => {
      // The same DNS rebinding guard as the MCP bindings: a web page must not read /status.
      if (!hostAllowed(req.headers.host, address.host, [])) return refuse(res, 403, "HOST_NOT_ALLOWED", "Forbidden: Host header is not an allowed host name");
      const path = (req.url ?? "/").split("?")[0] ?? "/";
      serveAdmin(req, res, path, admin, authenticate).then(
        (served) => {
          if (!served) refuse(res, 404, "NOT_FOUND", `Not found: ${path}`);
        },
        () => refuse(res, 500, "INTERNAL", "internal error"),
      );
    });
    this.#server.headersTimeout = 15_000;
    this.#server.requestTimeout = 30_000;
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen(this.address.port, this.address.host, () => {
        this.#server.off("error", reject);
        resolve();
      });
    });
  }

  /** The listener's base URL, once listening. */
  url(): string {
    const address = this.#server.address() as AddressInfo;
    const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
    return `http://${host}:${address.port}`;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
