import type { Logger } from "pino";
import type { AdminHandlers } from "../bindings/admin-routes.js";
import { HttpBinding, type HttpBindingOptions } from "../bindings/http-binding.js";
import type { SessionFactory } from "../bindings/session-factory.js";
import { StdioBinding } from "../bindings/stdio-binding.js";
import type { ResolvedBinding, ResolvedConfig } from "../config/index.js";
import { bindingDigest } from "./reload/config-digest.js";

export interface ServedEndpoint {
  readonly transport: "stdio" | "streamable-http" | "legacy-sse";
  readonly url: string;
}

type HttpSettings = Extract<ResolvedBinding, { transport: "http" }>;

interface Listener {
  readonly binding: HttpBinding;
  readonly digest: string;
  readonly settings: HttpSettings;
}

/**
 * Every binding the gateway serves. HTTP listeners are reconciled by name on reload: a
 * binding whose settings (or the limits it applies) changed, or a new one, gets a new
 * listener; the one it replaces, or a removed one, stops taking sessions and its port, and
 * closes `reload.drainMs` later. The stdio binding is the process's own stdin and stdout:
 * it is opened once, and changes to it apply on restart.
 */
export class ServedBindings {
  readonly #http = new Map<string, Listener>();
  #stdio: { binding: StdioBinding; digest: string } | undefined;
  readonly #retiring = new Set<HttpBinding>();
  readonly #timers = new Set<NodeJS.Timeout>();
  #stdioGone!: () => void;
  readonly stdioClosed = new Promise<void>((resolve) => (this.#stdioGone = resolve));

  constructor(
    private readonly factory: SessionFactory,
    private readonly logger: Logger,
    /** /healthz, /readyz, /status, /metrics and /admin/* on every HTTP listener. */
    private readonly admin?: AdminHandlers,
  ) {}

  /** Opens every binding of the config; on a failure closes what it opened and throws. */
  async start(config: ResolvedConfig): Promise<void> {
    try {
      for (const settings of config.bindings) {
        if (settings.transport === "stdio") {
          const binding = new StdioBinding(this.factory, settings);
          this.#stdio = { binding, digest: bindingDigest(settings, undefined) };
          await binding.start(this.#stdioGone);
          continue;
        }
        await this.#open(settings, config.limits, this.#http);
      }
    } catch (error) {
      await this.close();
      throw error;
    }
  }

  get endpoints(): ServedEndpoint[] {
    const out: ServedEndpoint[] = this.#stdio ? [{ transport: "stdio", url: "stdio" }] : [];
    for (const { binding } of this.#http.values()) {
      const urls = binding.urls();
      out.push({ transport: "streamable-http", url: urls.streamable });
      if (urls.sse) out.push({ transport: "legacy-sse", url: urls.sse });
    }
    return out;
  }

  /**
   * Opens the listeners a new config adds or changes (throws, leaving the old ones serving,
   * if one cannot listen) and returns what retires the listeners it replaced, to be called
   * once the new config serves.
   */
  async reconcile(next: ResolvedConfig, drainMs: number): Promise<() => void> {
    const wanted = new Map(next.bindings.flatMap((b) => (b.transport === "http" ? [[b.name, b] as const] : [])));
    const opened = new Map<string, Listener>();
    const retired: Listener[] = [...this.#http].filter(([name]) => !wanted.has(name)).map(([, l]) => l);
    try {
      for (const [name, settings] of wanted) {
        const old = this.#http.get(name);
        if (old && old.digest === listenerDigest(settings, next.limits)) continue;
        if (old) retired.push(old);
        // The same fixed address cannot be bound twice: the old listener gives up its port first.
        const clash = retired.find((l) => settings.port !== 0 && l.settings.port === settings.port && l.settings.host === settings.host);
        clash?.binding.stopAccepting("this listener was replaced by a reload", true);
        await this.#open(settings, next.limits, opened);
      }
    } catch (error) {
      await Promise.all([...opened.values()].map((l) => l.binding.close()));
      throw error;
    }
    const stdio = next.bindings.find((b) => b.transport === "stdio");
    if ((stdio ? bindingDigest(stdio, undefined) : undefined) !== this.#stdio?.digest) {
      this.logger.warn("the stdio binding changed; it is the process's own stdin and stdout, so the change applies on restart");
    }
    return () => {
      for (const listener of retired) {
        if (this.#http.get(listener.settings.name) === listener) this.#http.delete(listener.settings.name);
        this.#retire(listener.binding, drainMs);
      }
      for (const [name, listener] of opened) {
        this.#http.set(name, listener);
        this.logger.info({ binding: name, urls: listener.binding.urls() }, "reload opened a listener");
      }
    };
  }

  /** No new sessions on any binding (shutdown); the open ones go on. */
  stopAccepting(why: string): void {
    for (const { binding } of this.#http.values()) binding.stopAccepting(why);
  }

  async close(): Promise<void> {
    for (const timer of this.#timers) clearTimeout(timer);
    const http = [...this.#http.values()].map((l) => l.binding);
    this.#http.clear();
    await Promise.all([...http, ...this.#retiring].map((b) => b.close()));
    await this.#stdio?.binding.close();
  }

  async #open(settings: HttpSettings, limits: ResolvedConfig["limits"], into: Map<string, Listener>): Promise<void> {
    // Bindings know no Secret: the PEM goes to node:https as text.
    const tls = settings.tls ? { cert: settings.tls.cert.reveal(), key: settings.tls.key.reveal() } : undefined;
    const binding = new HttpBinding({ ...settings, tls }, httpBindingOptions(limits), this.factory, this.admin);
    await binding.listen();
    into.set(settings.name, { binding, digest: listenerDigest(settings, limits), settings });
  }

  #retire(binding: HttpBinding, drainMs: number): void {
    binding.stopAccepting("this listener was replaced by a reload", true);
    this.#retiring.add(binding);
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      this.#retiring.delete(binding);
      void binding.close();
    }, drainMs);
    timer.unref();
    this.#timers.add(timer);
  }
}

function listenerDigest(settings: HttpSettings, limits: ResolvedConfig["limits"]): string {
  return bindingDigest(settings, httpBindingOptions(limits));
}

/** What an HTTP binding is told of the limits; bindings know no config types. */
export function httpBindingOptions(limits: ResolvedConfig["limits"]): HttpBindingOptions {
  return {
    maxBodyBytes: limits.maxBodyBytes,
    maxSessions: limits.maxClientSessions,
    idleMs: limits.clientSessionIdleMs,
    streamIdleMs: limits.streamSessionIdleMs,
    maxBatchSize: limits.maxBatchSize,
    maxResponseBytes: limits.maxResponseBytes,
    maxStreamBufferBytes: limits.maxStreamBufferBytes,
    // The handshake cannot complete before initialize is answered, which may take initializeWaitMs.
    handshakeMs: limits.initializeWaitMs + limits.uninitializedSessionMs,
    maxUninitializedSessions: limits.maxUninitializedSessions,
    maxConnections: limits.maxConnections,
    maxConnectionsPerAddress: limits.maxConnectionsPerAddress,
  };
}
