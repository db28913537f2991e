import type { MessageExtraInfo, Transport } from "@modelcontextprotocol/server";
import type { Logger } from "pino";
import type { RequestInfo } from "../core/context.js";

/**
 * What a binding needs from the runtime: a fresh, isolated session per client. Bindings hold
 * no policy; they hand each message on with what they know of it (`RequestInfo`, passed as
 * `{ info }` in the transport's message extra; `defaults` for messages that come without).
 */
export interface ServedSession {
  connect(transport: Transport): Promise<void>;
  close(): Promise<void>;
}

export interface SessionFactory {
  create(defaults: RequestInfo): ServedSession;
  readonly logger: Logger;
}

/** The extra a served transport hands to `onmessage` with each message. */
export interface ServedMessageExtra extends MessageExtraInfo {
  readonly info: RequestInfo;
}
