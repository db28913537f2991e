import type { Logger } from "pino";
import { HttpBinding } from "../bindings/http-binding.js";
import type { SessionFactory } from "../bindings/session-factory.js";
import { StdioBinding } from "../bindings/stdio-binding.js";
import type { ResolvedConfig } from "../config/index.js";
import { BackendSlots } from "./backend-slots.js";
import { SharedBackends } from "./shared-backend.js";
import { GatewaySession, type SessionEnvironment } from "./gateway-session.js";
import { planNaming } from "./surface.js";

export interface ServedEndpoint {
  readonly transport: "stdio" | "streamable-http" | "legacy-sse";
  readonly url: string;
}

export interface RunningGateway {
  readonly endpoints: readonly ServedEndpoint[];
  /** Resolves when a stdio client has gone (the proxy then has nothing left to serve on stdio). */
  readonly stdioClosed: Promise<void>;
  close(): Promise<void>;
}

/** The composition root: binds every configured transport to sessions over the configured backends. */
export async function startGateway(config: ResolvedConfig, logger: Logger, version: string): Promise<RunningGateway> {
  const env: SessionEnvironment = { config, plan: planNaming(config), logger, version, slots: new BackendSlots(), shared: new SharedBackends(logger) };
  const factory: SessionFactory = { create: () => new GatewaySession(env), logger };
  const http: HttpBinding[] = [];
  let stdio: StdioBinding | undefined;
  let stdioGone!: () => void;
  const stdioClosed = new Promise<void>((resolve) => (stdioGone = resolve));
  const endpoints: ServedEndpoint[] = [];
  const close = async () => {
    await Promise.all([...http.map((b) => b.close()), stdio?.close()]);
  };
  try {
    for (const binding of config.bindings) {
      if (binding.transport === "stdio") {
        stdio = new StdioBinding(factory);
        await stdio.start(stdioGone);
        endpoints.push({ transport: "stdio", url: "stdio" });
        continue;
      }
      const served = new HttpBinding(binding, { maxBodyBytes: config.limits.maxBodyBytes, maxSessions: config.limits.maxClientSessions, idleMs: config.limits.clientSessionIdleMs }, factory);
      await served.listen();
      http.push(served);
      const urls = served.urls();
      endpoints.push({ transport: "streamable-http", url: urls.streamable });
      if (urls.sse) endpoints.push({ transport: "legacy-sse", url: urls.sse });
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { endpoints, stdioClosed, close };
}
