import { resolve as resolvePath } from "node:path";
import { createSecureContext } from "node:tls";
import { eraOf } from "./backend-era.js";
import { type ConfigIssue, joinPath } from "./config-issue.js";
import { resolveCommand } from "./resolve-command.js";
import { resolveSecret, resolveStringMap, type SecretContext } from "./resolve-secrets.js";
import type { Secret } from "./secret.js";
import { ANONYMOUS } from "../core/authentication.js";
import type { ResolvedAuth, ResolvedBackend, ResolvedBackendAuth, ResolvedBinding, ResolvedConfig, ResolvedLimits } from "./resolved-types.js";
import type { Auth, Backend, BackendAuth, Binding, Limits, ProxyConfig } from "./schema/index.js";

export interface ResolveOptions {
  readonly file: string | undefined;
  readonly configDir: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly skipSecrets: boolean;
}

/** Turns a schema-valid config into the frozen, defaulted, secret-resolved shape the runtime uses. */
export function resolveConfig(config: ProxyConfig, options: ResolveOptions): { config: ResolvedConfig; issues: ConfigIssue[] } {
  const ctx: SecretContext = { configDir: options.configDir, env: options.env, skipSecrets: options.skipSecrets, issues: [] };
  const backends: Record<string, ResolvedBackend> = {};
  for (const [name, backend] of Object.entries(config.backends)) backends[name] = resolveBackend(name, backend, ctx);
  const resolved: ResolvedConfig = {
    version: config.version,
    file: options.file,
    configDir: options.configDir,
    backends,
    bindings: (config.bindings ?? [{ transport: "http", port: 8080 }]).map((binding, i) => resolveBinding(binding, i, ctx)),
    interceptors: (config.interceptors ?? []).map((i) => ({ name: i.name, stage: i.stage ?? "custom", handle: i.handle })),
    naming: { prefix: config.naming?.prefix ?? "always", separator: config.naming?.separator ?? "__" },
    routes: config.routes ?? [],
    auth: resolveAuth(config.auth ?? { type: "none" }, ctx),
    policies: config.policies
      ? { default: config.policies.default ?? "deny", ...(config.policies.shadowDefault ? { shadowDefault: config.policies.shadowDefault } : {}), rules: config.policies.rules }
      : undefined,
    filters: config.filters ?? [],
    limits: resolveLimits(config.limits ?? {}, ctx),
    cache: {
      maxBytes: config.cache?.maxBytes ?? 67_108_864,
      rules: (config.cache?.rules ?? []).map((r) => ({ name: r.name, match: r.match, ttlMs: r.ttlMs, scope: r.scope ?? "identity" })),
    },
    audit: {
      enabled: config.audit?.enabled ?? true,
      sink: config.audit?.sink ?? "stderr",
      file: config.audit?.file === undefined ? undefined : resolvePath(options.configDir, config.audit.file),
      includeArguments: config.audit?.includeArguments ?? false,
      chain: config.audit?.chain ?? false,
      onFailure: config.audit?.onFailure ?? "log",
      rotate: config.audit?.rotate ? { maxBytes: config.audit.rotate.maxBytes, keep: config.audit.rotate.keep ?? 5 } : undefined,
    },
    reload: { enabled: config.reload?.enabled ?? true, debounceMs: config.reload?.debounceMs ?? 200, drainMs: config.reload?.drainMs ?? 30_000 },
    logging: { level: config.logging?.level ?? "info" },
    admin: {
      exposure: config.admin?.exposure ?? "loopback",
      token: config.admin?.token ? resolveSecret(config.admin.token, "admin.token", ctx) : undefined,
      reload: config.admin?.reload ?? false,
      listen: config.admin?.listen ? { host: config.admin.listen.host ?? "127.0.0.1", port: config.admin.listen.port } : undefined,
    },
    tracing: config.tracing
      ? { otlpEndpoint: config.tracing.otlpEndpoint, serviceName: config.tracing.serviceName ?? "mcp-portcullis", sampleRatio: config.tracing.sampleRatio ?? 1 }
      : undefined,
    state: {
      dir: resolvePath(options.configDir, config.state?.dir ?? ".mcp-proxy"),
      key: config.state?.key ? resolveSecret(config.state.key, "state.key", ctx) : undefined,
    },
    protocol: { requestStateKey: config.protocol?.requestStateKey ? requestStateKey(resolveSecret(config.protocol.requestStateKey, "protocol.requestStateKey", ctx), ctx) : undefined },
  };
  return { config: deepFreeze(resolved), issues: ctx.issues };
}

/** Environment variables every child gets: without them most programs cannot even start. */
const BASE_INHERITED_ENV = ["PATH", "HOME", "USER", "LANG", "LC_ALL", "TMPDIR", "TEMP", "TMP", "SHELL", "TERM", "SystemRoot"];

/** 16 MiB: far above what MCP servers answer, far below what one V8 string can hold. */
const DEFAULT_MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

function resolveBackend(name: string, backend: Backend, ctx: SecretContext): ResolvedBackend {
  const path = joinPath("backends", name);
  const common = {
    name,
    enabled: backend.enabled ?? true,
    required: backend.required ?? false,
    labels: backend.labels ?? [],
    namespace: backend.namespace ?? name,
    session: backend.session ?? "per-client",
    era: eraOf(backend),
    maxSessions: backend.maxSessions ?? 64,
    maxSessionsPerIdentity: backend.maxSessionsPerIdentity,
    maxMessageBytes: backend.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
    timeouts: {
      startupMs: backend.timeouts?.startupMs ?? 30_000,
      callMs: backend.timeouts?.callMs ?? 60_000,
      idleMs: backend.timeouts?.idleMs ?? 0,
    },
    maxConcurrent: backend.maxConcurrent,
    maxQueueMs: backend.maxQueueMs ?? 1000,
    circuitBreaker: backend.circuitBreaker ? { failures: backend.circuitBreaker.failures ?? 5, cooldownMs: backend.circuitBreaker.cooldownMs ?? 30_000 } : undefined,
    include: backend.include,
    exclude: backend.exclude ?? [],
  } as const;
  if (backend.transport === "stdio") {
    return {
      ...common,
      transport: "stdio",
      command: resolveCommand(backend.command, ctx.configDir),
      args: backend.args ?? [],
      env: resolveStringMap(backend.env, joinPath(path, "env"), ctx),
      inheritEnv: [...new Set([...BASE_INHERITED_ENV, ...(backend.inheritEnv ?? [])])],
      cwd: resolvePath(ctx.configDir, backend.cwd ?? "."),
    };
  }
  return {
    ...common,
    transport: backend.transport,
    url: backend.url,
    headers: resolveStringMap(backend.headers, joinPath(path, "headers"), ctx),
    auth: backend.auth ? resolveBackendAuth(backend.auth, joinPath(path, "auth"), ctx) : undefined,
  };
}

const TOKEN_REQUEST_TIMEOUT_MS = 10_000;

function resolveBackendAuth(auth: BackendAuth, path: string, ctx: SecretContext): ResolvedBackendAuth {
  const timeoutMs = auth.timeoutMs ?? TOKEN_REQUEST_TIMEOUT_MS;
  if (auth.type === "oauth") return { type: "oauth", scope: auth.scope, timeoutMs };
  const common = {
    tokenUrl: auth.tokenUrl,
    clientId: auth.clientId,
    clientSecret: resolveSecret(auth.clientSecret, joinPath(path, "clientSecret"), ctx),
    scope: auth.scope,
    resource: auth.resource,
    timeoutMs,
  };
  return auth.type === "clientCredentials" ? { type: "clientCredentials", ...common, audience: auth.audience } : { type: "tokenExchange", ...common, audience: auth.audience };
}

function resolveBinding(binding: Binding, index: number, ctx: SecretContext): ResolvedBinding {
  if (binding.transport === "stdio") {
    const identity = binding.identity ? { sub: binding.identity.subject, roles: binding.identity.roles ?? [], scopes: [], claims: binding.identity.claims ?? {} } : ANONYMOUS;
    return { transport: "stdio", name: binding.name ?? "stdio", identity, modern: binding.modern ?? true };
  }
  return {
    transport: "http",
    // The index keeps default names apart when several bindings ask for any free port.
    name: binding.name ?? (binding.port === 0 ? `http-${index}` : `http-${binding.port}`),
    modern: binding.modern ?? true,
    host: binding.host ?? "127.0.0.1",
    port: binding.port,
    path: binding.path ?? "/mcp",
    legacySse: binding.legacySse ?? false,
    ssePath: binding.ssePath ?? "/sse",
    messagePath: binding.messagePath ?? "/message",
    allowedOrigins: binding.allowedOrigins ?? [],
    allowedHosts: binding.allowedHosts ?? [],
    publicUrl: binding.publicUrl,
    trustedProxies: binding.trustedProxies ?? [],
    corsOrigins: binding.cors?.allowedOrigins ?? [],
    tls: binding.tls
      ? usableTls({ cert: resolveSecret(binding.tls.cert, `bindings[${index}].tls.cert`, ctx), key: resolveSecret(binding.tls.key, `bindings[${index}].tls.key`, ctx) }, `bindings[${index}].tls`, ctx)
      : undefined,
  };
}

/**
 * A certificate and key node:https can serve with, checked here so that `validate` names a
 * bad PEM or a key that does not match its certificate, and `start` refuses it with the path
 * instead of failing with an OpenSSL stack trace. Only OpenSSL's reason is repeated, never the PEM.
 */
function usableTls(tls: { cert: Secret; key: Secret }, path: string, ctx: SecretContext): { cert: Secret; key: Secret } {
  if (!tls.cert.resolved || !tls.key.resolved) return tls;
  try {
    createSecureContext({ cert: tls.cert.reveal(), key: tls.key.reveal() });
  } catch (error) {
    const reason = (error as { reason?: unknown }).reason;
    ctx.issues.push({ path, message: `the certificate and key cannot serve TLS (${typeof reason === "string" ? reason : "not a PEM certificate and matching private key"})` });
  }
  return tls;
}

/** The algorithms a key source can verify: the key decides the family, so an HMAC token is never checked against a public key. */
const HMAC_ALGORITHMS = ["HS256", "HS384", "HS512"];
const ASYMMETRIC_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA", "Ed25519"];

function resolveAuth(auth: Auth, ctx: SecretContext): ResolvedAuth {
  switch (auth.type) {
    case "none":
      return { type: "none" };
    case "bearer":
      return {
        type: "bearer",
        tokens: auth.tokens.map((t, i) => ({
          token: resolveSecret(t.token, `auth.tokens[${i}].token`, ctx),
          subject: t.subject,
          roles: t.roles ?? [],
          claims: t.claims ?? {},
        })),
      };
    case "jwt":
      return {
        type: "jwt",
        secret: auth.secret ? hmacKey(resolveSecret(auth.secret, "auth.secret", ctx), ctx) : undefined,
        jwksUrl: auth.jwksUrl,
        issuer: auth.issuer,
        audience: auth.audience,
        algorithms: auth.algorithms ?? (auth.secret ? HMAC_ALGORITHMS : ASYMMETRIC_ALGORITHMS),
        rolesClaim: auth.rolesClaim ?? "roles",
        requiredScopes: auth.requiredScopes ?? [],
        clockSkewSec: auth.clockSkewSec ?? 30,
        authorizationServers: auth.authorizationServers ?? (auth.issuer ? [auth.issuer] : []),
        scopesSupported: auth.scopesSupported ?? auth.requiredScopes ?? [],
        jwksCooldownMs: auth.jwksCooldownMs ?? 30_000,
        jwksMaxAgeMs: auth.jwksMaxAgeMs ?? 600_000,
      };
  }
}

/** RFC 7518 §3.2: an HS256 key at least as long as its hash (32 bytes); a shorter one falls to an offline guess from any token it signed. */
const MIN_HMAC_KEY_BYTES = 32;

function hmacKey(secret: Secret, ctx: SecretContext): Secret {
  if (secret.resolved && Buffer.byteLength(secret.reveal(), "utf8") < MIN_HMAC_KEY_BYTES) {
    ctx.issues.push({ path: "auth.secret", message: `an HMAC key must be at least ${MIN_HMAC_KEY_BYTES} bytes (RFC 7518 §3.2): a shorter one can be guessed offline from any token it signed` });
  }
  return secret;
}

/** The requestState seal's key: stretched, not strengthened, by SHA-256, so a short one can be guessed offline from any state it sealed. */
const MIN_REQUEST_STATE_KEY_BYTES = 32;

function requestStateKey(secret: Secret, ctx: SecretContext): Secret {
  if (secret.resolved && Buffer.byteLength(secret.reveal(), "utf8") < MIN_REQUEST_STATE_KEY_BYTES) {
    ctx.issues.push({ path: "protocol.requestStateKey", message: `must be at least ${MIN_REQUEST_STATE_KEY_BYTES} bytes: a shorter key can be guessed offline from any requestState it sealed, and then states can be forged` });
  }
  return secret;
}

function resolveLimits(limits: Limits, ctx: SecretContext): ResolvedLimits {
  const store = limits.store ?? { type: "memory" as const };
  return {
    maxBodyBytes: limits.maxBodyBytes ?? 4_194_304,
    maxClientSessions: limits.maxClientSessions ?? 1000,
    clientSessionIdleMs: limits.clientSessionIdleMs ?? 15_000,
    streamSessionIdleMs: limits.streamSessionIdleMs ?? 1_800_000,
    initializeWaitMs: limits.initializeWaitMs ?? 5_000,
    maxBatchSize: limits.maxBatchSize ?? 100,
    maxResponseBytes: limits.maxResponseBytes ?? 33_554_432,
    maxStreamBufferBytes: limits.maxStreamBufferBytes ?? 8_388_608,
    uninitializedSessionMs: limits.uninitializedSessionMs ?? 5_000,
    maxUninitializedSessions: limits.maxUninitializedSessions ?? 32,
    maxConnections: limits.maxConnections ?? 2048,
    maxConnectionsPerAddress: limits.maxConnectionsPerAddress ?? 256,
    concurrency: (limits.concurrency ?? []).map((c) => ({ name: c.name, match: c.match, maxConcurrent: c.maxConcurrent, maxQueueMs: c.maxQueueMs ?? 1000 })),
    maxSessionsPerIdentity: limits.maxSessionsPerIdentity,
    shutdownGraceMs: limits.shutdownGraceMs ?? 10_000,
    rateLimits: (limits.rateLimits ?? []).map((l) => ({ name: l.name, match: l.match, per: l.per ?? "identity", requests: l.requests, windowMs: l.windowMs })),
    store:
      store.type === "memory"
        ? { type: "memory" }
        : { type: "redis", url: typeof store.url === "string" ? store.url : resolveSecret(store.url, "limits.store.url", ctx) },
  };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
