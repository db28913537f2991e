import type { Identity, Interceptor } from "../core/context.js";
import type { Filter, ItemKind, Match, PolicyRule, Route } from "./schema/index.js";
import type { Secret, SecretOrString } from "./secret.js";

/**
 * The second stage of a config: every default applied, every relative path made
 * absolute, every secret resolved, deeply frozen. The runtime and the compiler only
 * ever see this shape, never what the user wrote.
 */
export interface ResolvedConfig {
  readonly version: number;
  /** Absolute path of the config file, or undefined for a config given as a value. */
  readonly file: string | undefined;
  readonly configDir: string;
  readonly backends: Readonly<Record<string, ResolvedBackend>>;
  readonly bindings: readonly ResolvedBinding[];
  readonly naming: { readonly prefix: "always" | "on-conflict" | "never"; readonly separator: string };
  readonly routes: readonly Route[];
  readonly auth: ResolvedAuth;
  readonly policies: { readonly default: "allow" | "deny"; readonly shadowDefault?: "allow" | "deny"; readonly rules: readonly PolicyRule[] } | undefined;
  readonly filters: readonly Filter[];
  readonly limits: ResolvedLimits;
  /** Result caching; no rules: nothing is cached. */
  readonly cache: ResolvedCache;
  readonly audit: ResolvedAudit;
  readonly reload: { readonly enabled: boolean; readonly debounceMs: number; readonly drainMs: number };
  readonly logging: { readonly level: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent" };
  /** Era settings; absent in configs built by hand (tests), which then seal with a per-process key. */
  readonly protocol?: { readonly requestStateKey: Secret | undefined };
  /** Custom interceptors of a `.ts` config, in config order. */
  readonly interceptors: readonly ResolvedInterceptor[];
  readonly admin: ResolvedAdmin;
  /** Undefined: tracing is off. */
  readonly tracing: ResolvedTracing | undefined;
  /** Where state kept between runs lives (login tokens), and the key that encrypts it. */
  readonly state: ResolvedState;
}

export interface ResolvedAdmin {
  readonly exposure: "loopback" | "public" | "token";
  readonly token: Secret | undefined;
  readonly reload: boolean;
  readonly listen: { readonly host: string; readonly port: number } | undefined;
}

export interface ResolvedTracing {
  readonly otlpEndpoint: string;
  readonly serviceName: string;
  readonly sampleRatio: number;
}

export interface ResolvedState {
  /** Absolute path of the state folder. */
  readonly dir: string;
  /** The configured encryption key; undefined: a key file in `dir`. */
  readonly key: Secret | undefined;
}

/** How the proxy gets its own credential for a remote backend (see src/backends/credentials). */
export type ResolvedBackendAuth =
  | {
      readonly type: "clientCredentials";
      readonly tokenUrl: string;
      readonly clientId: string;
      readonly clientSecret: Secret;
      readonly scope: string | undefined;
      readonly audience: string | undefined;
      readonly resource: string | undefined;
      readonly timeoutMs: number;
    }
  | {
      readonly type: "tokenExchange";
      readonly tokenUrl: string;
      readonly clientId: string;
      readonly clientSecret: Secret;
      readonly scope: string | undefined;
      readonly audience: string;
      readonly resource: string | undefined;
      readonly timeoutMs: number;
    }
  | { readonly type: "oauth"; readonly scope: string | undefined; readonly timeoutMs: number };

/** The stages a custom interceptor can be placed after (see compile's STAGES). */
export type InterceptorStage = "authenticate" | "resolveTarget" | "authorize" | "custom";

export interface ResolvedInterceptor {
  readonly name: string;
  readonly stage: InterceptorStage;
  readonly handle: Interceptor;
}

interface ResolvedBackendCommon {
  readonly name: string;
  readonly enabled: boolean;
  /** Readiness waits for it (GET /readyz). */
  readonly required: boolean;
  readonly labels: readonly string[];
  readonly namespace: string;
  readonly session: "per-client" | "shared";
  /** The protocol era spoken with the backend (absent: legacy). */
  readonly era?: "auto" | "legacy" | "modern";
  readonly maxSessions: number;
  /** Most upstream sessions of this backend one caller may hold (per-client mode); undefined: no per-caller cap. */
  readonly maxSessionsPerIdentity: number | undefined;
  /** The largest message read from the backend; a larger one fails its request, not the backend. */
  readonly maxMessageBytes: number;
  readonly timeouts: { readonly startupMs: number; readonly callMs: number; readonly idleMs: number };
  /** Most requests in flight at once, all clients together; undefined: no cap. */
  readonly maxConcurrent: number | undefined;
  readonly maxQueueMs: number;
  readonly circuitBreaker: { readonly failures: number; readonly cooldownMs: number } | undefined;
  readonly include: readonly string[] | undefined;
  readonly exclude: readonly string[];
}

export interface ResolvedStdioBackend extends ResolvedBackendCommon {
  readonly transport: "stdio";
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, SecretOrString>>;
  readonly inheritEnv: readonly string[];
  readonly cwd: string;
}

export interface ResolvedRemoteBackend extends ResolvedBackendCommon {
  readonly transport: "http" | "sse";
  readonly url: string;
  readonly headers: Readonly<Record<string, SecretOrString>>;
  readonly auth: ResolvedBackendAuth | undefined;
}

export type ResolvedBackend = ResolvedStdioBackend | ResolvedRemoteBackend;

export type ResolvedBinding =
  | { readonly transport: "stdio"; readonly name: string; readonly identity: Identity; readonly modern?: boolean }
  | {
      readonly transport: "http";
      readonly name: string;
      /** Whether 2026-07-28 clients are served too (absent: yes). */
      readonly modern?: boolean;
      readonly host: string;
      readonly port: number;
      readonly path: string;
      readonly legacySse: boolean;
      readonly ssePath: string;
      readonly messagePath: string;
      readonly allowedOrigins: readonly string[];
      readonly allowedHosts: readonly string[];
      readonly publicUrl: string | undefined;
      readonly trustedProxies: readonly string[];
      /** Origins given CORS headers; empty: CORS off. */
      readonly corsOrigins: readonly string[];
      readonly tls: { readonly cert: Secret; readonly key: Secret } | undefined;
    };

export interface ResolvedBearerToken {
  readonly token: Secret;
  readonly subject: string;
  readonly roles: readonly string[];
  readonly claims: Readonly<Record<string, unknown>>;
}

export type ResolvedAuth =
  | { readonly type: "none" }
  | { readonly type: "bearer"; readonly tokens: readonly ResolvedBearerToken[] }
  | {
      readonly type: "jwt";
      readonly secret: Secret | undefined;
      readonly jwksUrl: string | undefined;
      readonly issuer: string | undefined;
      readonly audience: string | undefined;
      /** As configured, or the family the key source allows (HS* for secret, asymmetric for jwksUrl). */
      readonly algorithms: readonly string[];
      readonly rolesClaim: string;
      readonly requiredScopes: readonly string[];
      readonly clockSkewSec: number;
      readonly authorizationServers: readonly string[];
      readonly scopesSupported: readonly string[];
      readonly jwksCooldownMs: number;
      readonly jwksMaxAgeMs: number;
    };

export interface ResolvedRateLimit {
  readonly name: string;
  readonly match: Match | undefined;
  readonly per: "identity" | "session" | "global";
  readonly requests: number;
  readonly windowMs: number;
}

export interface ResolvedLimits {
  readonly maxBodyBytes: number;
  readonly maxClientSessions: number;
  readonly clientSessionIdleMs: number;
  readonly streamSessionIdleMs: number;
  readonly initializeWaitMs: number;
  readonly maxBatchSize: number;
  readonly maxResponseBytes: number;
  readonly maxStreamBufferBytes: number;
  readonly uninitializedSessionMs: number;
  readonly maxUninitializedSessions: number;
  readonly maxConnections: number;
  readonly maxConnectionsPerAddress: number;
  readonly concurrency: readonly ResolvedConcurrencyCap[];
  /** Most client sessions one caller may hold across bindings; undefined: no per-caller cap. */
  readonly maxSessionsPerIdentity: number | undefined;
  readonly shutdownGraceMs: number;
  readonly rateLimits: readonly ResolvedRateLimit[];
  readonly store: { readonly type: "memory" } | { readonly type: "redis"; readonly url: SecretOrString };
}

export interface ResolvedConcurrencyCap {
  readonly name: string;
  readonly match: Match | undefined;
  readonly maxConcurrent: number;
  readonly maxQueueMs: number;
}

export interface ResolvedCacheRule {
  readonly name: string;
  readonly match: Match | undefined;
  readonly ttlMs: number;
  readonly scope: "identity" | "shared";
}

export interface ResolvedCache {
  readonly maxBytes: number;
  readonly rules: readonly ResolvedCacheRule[];
}

export interface ResolvedAudit {
  readonly enabled: boolean;
  readonly sink: "stderr" | "stdout" | "file";
  readonly file: string | undefined;
  readonly includeArguments: boolean;
  readonly chain: boolean;
  readonly onFailure: "log" | "refuse";
  readonly rotate: { readonly maxBytes: number; readonly keep: number } | undefined;
}

export type { ItemKind };
