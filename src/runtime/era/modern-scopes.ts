import { createHash } from "node:crypto";
import { callerKey } from "../../core/authentication.js";
import type { RequestInfo } from "../../core/context.js";
import { canonicalJson, type ModernEnvelope } from "../../core/era.js";
import type { ClientSession } from "../client-session.js";

/** How long a modern scope outlives its last request: modern clients hold no stream, so use is the only sign of life. */
const MIN_IDLE_MS = 60_000;

interface Scope {
  readonly session: ClientSession;
  readonly opened: Promise<void>;
  lastUsed: number;
  busy: number;
}

/** Builds a session-less scope for one identity (the gateway's ClientSession in modern mode). */
export type ScopeFactory = (info: RequestInfo, scopeId: string) => ClientSession;

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
  async use<T>(info: RequestInfo, envelope: ModernEnvelope, use: (session: ClientSession) => Promise<T>): Promise<T> {
    const caller = `${info.binding}\u0000${callerKey(info.identity)}`;
    const key = `${caller}\u0000${canonicalJson(envelope.clientCapabilities)}`;
    let scope = this.#scopes.get(key);
    if (!scope) {
      const session = this.create(info, `modern-${createHash("sha256").update(caller).digest("hex").slice(0, 16)}`);
      scope = { session, opened: session.open({ ...envelope.clientCapabilities }, envelope.clientInfo), lastUsed: Date.now(), busy: 0 };
      this.#scopes.set(key, scope);
    }
    scope.busy++;
    try {
      await scope.opened;
      return await use(scope.session);
    } finally {
      scope.busy--;
      scope.lastUsed = Date.now();
    }
  }

  #sweep(): void {
    const now = Date.now();
    for (const [key, scope] of this.#scopes) {
      if (scope.busy === 0 && now - scope.lastUsed >= this.#idleMs) {
        this.#scopes.delete(key);
        void scope.session.close();
      }
    }
  }

  async closeAll(): Promise<void> {
    clearInterval(this.#sweeper);
    const scopes = [...this.#scopes.values()];
    this.#scopes.clear();
    await Promise.all(scopes.map((s) => s.session.close()));
  }
}
