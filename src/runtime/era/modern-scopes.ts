import { createHash } from "node:crypto";
import { callerKey } from "../../core/authentication.js";
import type { RequestInfo } from "../../core/context.js";
import { canonicalJson, META, type ModernEnvelope } from "../../core/era.js";
import { ProxyError } from "../../core/errors.js";
import type { ClientSession } from "../client-session.js";
import { ListenStreams } from "./listen-streams.js";

/** How long a modern scope outlives its last request: modern clients hold no stream, so use is the only sign of life. */
const MIN_IDLE_MS = 60_000;
/**
 * Most scopes one caller may hold at once (one per capability set it has sent). The set is
 * the caller's to choose, so without a cap each request with a new one would open a scope,
 * and a child process per per-client backend, until the idle sweep.
 */
export const MAX_SCOPES_PER_CALLER = 16;

/** One caller's scope: the session-less ClientSession and its open listen streams. */
export interface Scope {
  readonly binding: string;
  readonly caller: string;
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

  /** `maxPerBinding`: the binding's `limits.maxClientSessions`, read when a scope is opened (a reload may change it). */
  constructor(
    private readonly create: ScopeFactory,
    idleMs: number,
    private readonly maxPerBinding: () => number,
  ) {
    this.#idleMs = Math.max(MIN_IDLE_MS, idleMs);
    this.#sweeper = setInterval(() => this.#sweep(), Math.min(this.#idleMs / 4, 60_000)).unref();
  }

  /** Runs `use` in the scope of this request's caller, opening it on first use. */
  async use<T>(info: RequestInfo, envelope: ModernEnvelope, use: (session: ClientSession, scope: Scope) => Promise<T>): Promise<T> {
    const caller = `${info.binding}\u0000${callerKey(info.identity)}`;
    const key = `${caller}\u0000${capabilitiesKey(envelope)}`;
    let scope = this.#scopes.get(key);
    if (!scope) {
      this.#makeRoom(info.binding, caller);
      const listens = new ListenStreams();
      const session = this.create(info, `modern-${createHash("sha256").update(caller).digest("hex").slice(0, 16)}`, listens);
      scope = { binding: info.binding, caller, session, listens, opened: session.open({ ...envelope.clientCapabilities }, envelope.clientInfo), lastUsed: Date.now(), busy: 0 };
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

  /**
   * Before a new scope opens: at the caller's cap, or the binding's `limits.maxClientSessions`,
   * the caller's own least recently used idle scope is closed (it only costs that caller a
   * reconnect of its per-client backends); with none idle, the request is refused as a
   * legacy session beyond the cap is. Nobody else's scope is ever closed to make room.
   */
  #makeRoom(binding: string, caller: string): void {
    let own = 0;
    let inBinding = 0;
    let idlest: [string, Scope] | undefined;
    for (const entry of this.#scopes) {
      const scope = entry[1];
      if (scope.binding === binding) inBinding++;
      if (scope.caller !== caller) continue;
      own++;
      if (scope.busy === 0 && (!idlest || scope.lastUsed < idlest[1].lastUsed)) idlest = entry;
    }
    if (own < MAX_SCOPES_PER_CALLER && inBinding < this.maxPerBinding()) return;
    if (!idlest) {
      throw new ProxyError("TOO_MANY_SESSIONS", `Too many sessions: no room for another session-less scope (at most ${MAX_SCOPES_PER_CALLER} per caller, limits.maxClientSessions per binding, all busy); try again later`);
    }
    this.#drop(...idlest);
  }

  #sweep(): void {
    const now = Date.now();
    for (const [key, scope] of this.#scopes) {
      if (scope.busy === 0 && now - scope.lastUsed >= this.#idleMs) this.#drop(key, scope);
    }
  }

  #drop(key: string, scope: Scope): void {
    this.#scopes.delete(key);
    scope.listens.endAll();
    void scope.session.close();
  }

  async closeAll(): Promise<void> {
    clearInterval(this.#sweeper);
    const scopes = [...this.#scopes.values()];
    this.#scopes.clear();
    for (const scope of scopes) scope.listens.endAll();
    await Promise.all(scopes.map((s) => s.session.close()));
  }
}

/** The capabilities as part of a scope's key; a nesting too deep to write out is the caller's error, not ours. */
function capabilitiesKey(envelope: ModernEnvelope): string {
  try {
    return canonicalJson(envelope.clientCapabilities);
  } catch {
    throw new ProxyError("INVALID_PARAMS", `Invalid _meta envelope: ${META.clientCapabilities} is nested too deep`, { envelope: { key: META.clientCapabilities } });
  }
}
