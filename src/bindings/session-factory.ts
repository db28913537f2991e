import type { JSONRPCRequest, MessageExtraInfo, Transport } from "@modelcontextprotocol/server";
import type { Cancellation } from "../core/cancellation.js";
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
  /** Answers a 2026-07-28 request (no session); absent: the binding serves legacy clients only. */
  readonly modern?: ModernAnswerer;
}

/** What answers one modern request: the JSON-RPC response, never a throw. */
export interface ModernAnswerer {
  /** `notify` takes the request's related notifications (progress); the binding streams them before the response. */
  answer(request: JSONRPCRequest, info: RequestInfo, cancellation?: Cancellation, notify?: (message: Record<string, unknown>) => void): Promise<Record<string, unknown>>;
  /** subscriptions/listen: `send` takes each notification of the stream; resolves with the final response when it ends. */
  listen(request: JSONRPCRequest, info: RequestInfo, send: (message: Record<string, unknown>) => void, cancellation: Cancellation): Promise<Record<string, unknown>>;
}

/** The extra a served transport hands to `onmessage` with each message. */
export interface ServedMessageExtra extends MessageExtraInfo {
  readonly info: RequestInfo;
}
