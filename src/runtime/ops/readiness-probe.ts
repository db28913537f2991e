import type { Logger } from "pino";
import type { ResolvedBackend, ResolvedConfig } from "../../config/index.js";
import { ProxyError } from "../../core/errors.js";
import { BackendLink, type LinkMonitor } from "../backend-link.js";
import { BackendSlots } from "../backend-slots.js";

/**
 * Starts each `required` backend once, so /readyz can say whether it can start before any
 * client asks for it (per-client backends otherwise start only when a client connects): at
 * start-up, and again for each required backend a reload adds or changes. It is an ordinary
 * link, so failures restart it with the usual backoff and the monitor sees it like any other;
 * once it is up it has answered the question and closes.
 */
export class ReadinessProbe {
  readonly #links = new Map<string, BackendLink>();
  // Slots of its own: probing must not take a session from a client (maxSessions).
  readonly #slots = new BackendSlots();

  constructor(
    config: ResolvedConfig,
    private readonly logger: Logger,
    private readonly monitor: LinkMonitor,
    private readonly self: { name: string; version: string },
  ) {
    for (const backend of Object.values(config.backends)) this.#probe(backend);
  }

  /**
   * After a reload, for the backends it added, changed or removed (`touched`): a probe still
   * starting the old definition stops, and each of them that is required now is probed, so a
   * new required backend is waited for and a removed one is not started forever.
   */
  reconcile(config: ResolvedConfig, touched: ReadonlySet<string>): void {
    for (const name of touched) {
      void this.#links.get(name)?.close();
      this.#links.delete(name);
    }
    for (const backend of Object.values(config.backends)) if (touched.has(backend.name)) this.#probe(backend);
  }

  #probe(backend: ResolvedBackend): void {
    if (!backend.enabled || !backend.required) return;
    const link: BackendLink = new BackendLink(
      { backend, logger: this.logger.child({ readinessProbe: true }), slots: this.#slots, client: () => ({ info: this.self, capabilities: {} }), monitor: this.monitor },
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
    this.#links.set(backend.name, link);
    void link.start();
  }

  async close(): Promise<void> {
    await Promise.all([...this.#links.values()].map((link) => link.close()));
  }
}
