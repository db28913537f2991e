import type { Identity } from "../core/context.js";
import type { SessionFactory, ServedSession } from "./session-factory.js";
import { StdioServerTransport } from "./stdio-server-transport.js";

/** Serves one client on the process's own stdin/stdout; the client ending stdin ends the session. */
export class StdioBinding {
  #session: ServedSession | undefined;
  #transport: StdioServerTransport | undefined;

  /** `name` and `identity` come from the config: a stdio client presents no credentials. */
  constructor(
    private readonly sessions: SessionFactory,
    private readonly settings: { readonly name: string; readonly identity: Identity },
  ) {}

  async start(onClosed: () => void): Promise<void> {
    this.#transport = new StdioServerTransport(process.stdin, process.stdout);
    this.#session = this.sessions.create({ binding: this.settings.name, transport: "stdio", identity: this.settings.identity });
    this.#transport.onclose = () => {
      void this.#session?.close().finally(onClosed);
    };
    await this.#session.connect(this.#transport);
  }

  async close(): Promise<void> {
    await this.#transport?.close().catch(() => undefined);
    await this.#session?.close();
  }
}
