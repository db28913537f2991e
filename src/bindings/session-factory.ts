import type { MessageExtraInfo, Transport } from "@modelcontextprotocol/server";
import type { Logger } from "pino";
import type { AuthEdge, AuthOutcome } from "../core/authentication.js";
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
  /** Checks an HTTP request's credentials against the current config, before any session sees it. */
  authenticate(headers: Readonly<Record<string, string | string[] | undefined>>, edge: AuthEdge): AuthOutcome | Promise<AuthOutcome>;
  /** RFC 9728 protected resource metadata for a binding's resource URL; undefined when the current auth has no authorization server. */
  resourceMetadata(resource: string): Readonly<Record<string, unknown>> | undefined;
  /** A request refused for its credentials (for the audit trail). */
  authenticationRefused(info: RequestInfo, outcome: Extract<AuthOutcome, { ok: false }>): void;
}

/** The extra a served transport hands to `onmessage` with each message. */
export interface ServedMessageExtra extends MessageExtraInfo {
  readonly info: RequestInfo;
}
