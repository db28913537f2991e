import { createHash } from "node:crypto";
import { callerKey } from "../../core/authentication.js";
import type { RequestInfo } from "../../core/context.js";
import { canonicalJson, type ModernEnvelope } from "../../core/era.js";
import type { ClientSession } from "../client-session.js";
import { ListenStreams } from "./listen-streams.js";

/** How long a modern scope outlives its last request: modern clients hold no stream, so use is the only sign of life. */
const MIN_IDLE_MS = 60_000;

/** One caller's scope: the session-less ClientSession and its open listen streams. */
export interface Scope {
  readonly session: ClientSession;
  readonly listens: ListenStreams;
  readonly opened: Promise<void>;
  lastUsed: number;
  busy: number;
}

/** Builds a session-less scope for one identity (the gateway's ClientSession in modern mode). */
export type ScopeFactory = (info: RequestInfo, scopeId: string, listens: ListenStreams) => ClientSession;

/**
 * The scopes modern requests run in. A modern request has no session, so the scope is keyed
 * by who asks (binding and identity) and what its client can do (the capabilities a per-client
 * backend is told, which decide what it offers). Per-client backends therefore get one
 * upstream per identity (and capability set), and a scope's id is its identity's, so
 * per-session limits count per identity.
 */
export class ModernScopes {
  readonly #scopes = new Map<string, Scope>();
  readonly #sweeper: NodeJS.Timeout;
  readonly #idleMs: number;

  constructor(
    private readonly create: ScopeFactory,
    idleMs: number,
  ) {
    this.#idleMs = Math.max(MIN_IDLE_MS, idleMs);
    this.#sweeper = setInterval(() => this.#sweep(), Math.min(this.#idleMs / 4, 60_000)).unref();
  }

  /** Runs `use` in the scope of this request's caller, opening it on first use. */
  async use<T>(info: RequestInfo, envelope: ModernEnvelope, use: (session: ClientSession, scope: Scope) => Promise<T>): Promise<T> {
    const caller = `${info.binding}\u0000${callerKey(info.identity)}`;
    const key = `${caller}\u0000${canonicalJson(envelope.clientCapabilities)}`;
    let scope = this.#scopes.get(key);
    if (!scope) {
      const listens = new ListenStreams();
      const session = this.create(info, `modern-${createHash("sha256").update(caller).digest("hex").slice(0, 16)}`, listens);
      scope = { session, listens, opened: session.open({ ...envelope.clientCapabilities }, envelope.clientInfo), lastUsed: Date.now(), busy: 0 };
      this.#scopes.set(key, scope);
    }
    scope.busy++;
    try {
      await scope.opened;
      return await use(scope.session, scope);
    } finally {
      scope.busy--;
      scope.lastUsed = Date.now();
    }
  }

  /** Every open scope's session: a reload reconciles them like legacy sessions. */
  sessions(): ClientSession[] {
    return [...this.#scopes.values()].map((s) => s.session);
  }

  #sweep(): void {
    const now = Date.now();
    for (const [key, scope] of this.#scopes) {
      if (scope.busy === 0 && now - scope.lastUsed >= this.#idleMs) {
        this.#scopes.delete(key);
        scope.listens.endAll();
        void scope.session.close();
      }
    }
  }

  async closeAll(): Promise<void> {
    clearInterval(this.#sweeper);
    const scopes = [...this.#scopes.values()];
    this.#scopes.clear();
    for (const scope of scopes) scope.listens.endAll();
    await Promise.all(scopes.map((s) => s.session.close()));
  }
}
