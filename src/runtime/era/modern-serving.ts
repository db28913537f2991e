import type { JSONRPCRequest } from "@modelcontextprotocol/server";
import type { Redis } from "ioredis";
import type { Cancellation } from "../../core/cancellation.js";
import type { RequestInfo } from "../../core/context.js";
import type { ResolvedConfig } from "../../config/index.js";
import { ClientSession, type SessionHost } from "../client-session.js";
import { InputBridge } from "./input-bridge.js";
import type { ListenStreams } from "./listen-streams.js";
import { ModernScopes } from "./modern-scopes.js";
import { ModernServer } from "./modern-server.js";
import { RequestStateSeal } from "./request-state.js";
import { MemoryNonces, RedisNonces } from "./used-nonces.js";

/** How long a modern client has to answer an input_required round and retry. */
const REQUEST_STATE_TTL_MS = 10 * 60_000;

/** The gateway's modern serving: what bindings call for a 2026-07-28 request, and its shutdown. */
export interface ModernServing {
  /** Whether the named binding serves modern clients (`modern: false` keeps it legacy-only). */
  admits(binding: string): boolean;
  answer(request: JSONRPCRequest, info: RequestInfo, cancellation?: Cancellation, notify?: (message: Record<string, unknown>) => void): Promise<Record<string, unknown>>;
  listen(request: JSONRPCRequest, info: RequestInfo, send: (message: Record<string, unknown>) => void, cancellation: Cancellation): Promise<Record<string, unknown>>;
  /** The session-less scopes open now (one per caller and capability set), for a reload to reconcile. */
  sessions(): ClientSession[];
  close(): Promise<void>;
}

/** Wires the modern parts around a gateway (its config, pipeline and pool are read per request). */
/** `redis`: the rate-limit store's connection when it is Redis, where used requestStates are remembered for every replica. */
export function openModernServing(host: SessionHost & { readonly config: ResolvedConfig }, redis?: Redis): ModernServing {
  const bridge = new InputBridge();
  // A scope's way back to its client: the bridge for a backend's questions, its listen streams
  // for notifications, and the request's own response for progress (`server` is set below, before any request).
  const openScope = (info: RequestInfo, scopeId: string, listens: ListenStreams) =>
    new ClientSession(host, info, {
      scopeId,
      inputs: {
        ask: (request, related) => bridge.ask(request, related),
        notify: (method, params) => listens.notify(method, params),
        related: (id, method, params) => server.related(id, method, params),
      },
    });
  const scopes = new ModernScopes(openScope, host.config.limits.clientSessionIdleMs, () => host.config.limits.maxClientSessions);
  const key = host.config.protocol?.requestStateKey;
  const used = redis ? new RedisNonces(redis, host.logger) : new MemoryNonces();
  const seal = new RequestStateSeal(key === undefined ? undefined : key.reveal(), REQUEST_STATE_TTL_MS, used);
  const server = new ModernServer({
    get config() {
      return host.config;
    },
    version: host.version,
    scopes,
    bridge,
    seal,
  });
  return {
    admits: (binding) => host.config.bindings.find((b) => b.name === binding)?.modern !== false,
    answer: (request, info, cancellation, notify) => server.answer(request, info, cancellation, notify),
    listen: (request, info, send, cancellation) => server.listen(request, info, send, cancellation),
    sessions: () => scopes.sessions(),
    close: () => scopes.closeAll(),
  };
}
