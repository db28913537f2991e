import type { Logger } from "pino";
import type { ResolvedConfig } from "../../config/index.js";
import { ProxyError } from "../../core/errors.js";
import { BackendLink, type LinkMonitor } from "../backend-link.js";
import { BackendSlots } from "../backend-slots.js";

/**
 * Starts each `required` backend once at start-up, so /readyz can say whether it can start
 * before any client asks for it (per-client backends otherwise start only when a client
 * connects). It is an ordinary link, so failures restart it with the usual backoff and the
 * monitor sees it like any other; once it is up it has answered the question and closes.
 */
export class ReadinessProbe {
  readonly #links: BackendLink[] = [];

  constructor(config: ResolvedConfig, logger: Logger, monitor: LinkMonitor, self: { name: string; version: string }) {
    // Slots of its own: probing must not take a session from a client (maxSessions).
    const slots = new BackendSlots();
    for (const backend of Object.values(config.backends)) {
      if (!backend.enabled || !backend.required) continue;
      const link: BackendLink = new BackendLink(
        { backend, logger: logger.child({ readinessProbe: true }), slots, client: () => ({ info: self, capabilities: {} }), monitor },
        {
          changed: () => {
            if (link.listing) void link.close();
          },
          notification: () => undefined,
          request: async (request) => {
            if (request.method === "roots/list") return { roots: [] };
            throw new ProxyError("METHOD_NOT_FOUND", `the gateway's readiness probe of backend "${backend.name}" cannot answer ${request.method}`);
          },
          restore: async () => undefined,
        },
      );
      this.#links.push(link);
      void link.start();
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.#links.map((link) => link.close()));
  }
}
