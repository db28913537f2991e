import { StdioServerTransport } from "@modelcontextprotocol/server/stdio";
import type { SessionFactory, ServedSession } from "./session-factory.js";

/** Serves one client on the process's own stdin/stdout; the client ending stdin ends the session. */
export class StdioBinding {
  #session: ServedSession | undefined;
  #transport: StdioServerTransport | undefined;

  constructor(private readonly sessions: SessionFactory) {}

  async start(onClosed: () => void): Promise<void> {
    this.#transport = new StdioServerTransport(process.stdin, process.stdout);
    this.#session = this.sessions.create();
    this.#transport.onclose = () => {
      void this.#session?.close().finally(onClosed);
    };
    process.stdin.once("end", () => void this.#transport?.close());
    await this.#session.connect(this.#transport);
  }

  async close(): Promise<void> {
    await this.#transport?.close().catch(() => undefined);
    await this.#session?.close();
  }
}
