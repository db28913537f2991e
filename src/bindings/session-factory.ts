import type { Transport } from "@modelcontextprotocol/server";
import type { Logger } from "pino";

/** What a binding needs from the runtime: a fresh, isolated session per client. Bindings hold no policy. */
export interface ServedSession {
  connect(transport: Transport): Promise<void>;
  close(): Promise<void>;
}

export interface SessionFactory {
  create(): ServedSession;
  readonly logger: Logger;
}
