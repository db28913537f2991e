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
  readonly audit: ResolvedAudit;
  readonly reload: { readonly enabled: boolean; readonly debounceMs: number };
  readonly logging: { readonly level: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent" };
  /** Era settings; absent in configs built by hand (tests), which then seal with a per-process key. */
  readonly protocol?: { readonly requestStateKey: Secret | undefined };
  /** Custom interceptors of a `.ts` config, in config order. */
  readonly interceptors: readonly ResolvedInterceptor[];
}

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
  readonly labels: readonly string[];
  readonly namespace: string;
  readonly session: "per-client" | "shared";
  /** The protocol era spoken with the backend (absent: legacy). */
  readonly era?: "auto" | "legacy" | "modern";
  readonly maxSessions: number;
  /** The largest message read from the backend; a larger one fails its request, not the backend. */
  readonly maxMessageBytes: number;
  readonly timeouts: { readonly startupMs: number; readonly callMs: number; readonly idleMs: number };
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
      readonly algorithms: readonly string[] | undefined;
      readonly rolesClaim: string;
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
  readonly rateLimits: readonly ResolvedRateLimit[];
  readonly store: { readonly type: "memory" } | { readonly type: "redis"; readonly url: SecretOrString };
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
