import type { ResolvedConfig } from "../config/index.js";
import { ANONYMOUS, type Authenticator } from "../core/authentication.js";
import { compose } from "../core/compose.js";
import type { ClientScope, Handler, Interceptor, RequestContext, Target } from "../core/context.js";
import { METHODS, type MethodSpec } from "../core/methods.js";
import { ProxyError } from "../core/errors.js";
import type { RateCounters } from "../core/rate-counters.js";
import { type BackendTable, backendsClaiming, type ItemRef, resolveTarget } from "../core/resolve-target.js";
import type { NamingPlan } from "../core/surface.js";
import { type CompiledFilters, compileFilters } from "../filters/index.js";
import { compilePolicies, type PolicyEngine } from "../policy/index.js";
import { ConcurrencyGates } from "../core/concurrency-gate.js";
import { compileAuthenticator } from "./authenticate.js";
import { cacheStage } from "./cache-stage.js";
import { concurrencyStage } from "./concurrency-stage.js";
import { ResultStore } from "./result-store.js";
import { authorizeStage, HIDDEN, unknownItem } from "./authorize.js";
import { filterStage } from "./filter-results.js";
import { compileLabels } from "./labels.js";
import { MemoryRateCounters } from "./memory-rate-counters.js";
import { planNaming } from "./naming-plan.js";
import { describeRateLimit, rateLimitStage } from "./rate-limit.js";

/**
 * The stages of the chain, in the order the compiler puts them, whatever order a config
 * writes things in. Later features plug into their named stage; a stage with nothing
 * configured is left out of the chain entirely.
 */
export const STAGES = ["authenticate", "resolveTarget", "authorize", "limit", "custom", "filter", "cache", "concurrency", "forward"] as const;
export type Stage = (typeof STAGES)[number];

/** A compiled config: the naming plan, the backend table and one composed chain every routed request runs through. */
export interface Pipeline {
  readonly handle: Handler;
  readonly plan: NamingPlan;
  readonly backends: BackendTable;
  /** Checks an HTTP request's credentials (bindings call it before any session exists). */
  readonly authenticator: Authenticator;
  /** The compiled policies, when the config has any. */
  readonly policies: PolicyEngine | undefined;
  /** The compiled response filters (also used to redact arguments in audit lines). */
  readonly filters: CompiledFilters;
  /** The identity claims policies read: the only claims an audit line records ("*": a rule reads claims by a computed path, so all). */
  readonly claimsRead: readonly string[] | "*";
  describe(): PipelineDescription;
}

export interface PipelineDescription {
  /** How exposed names are made: prefix mode, separator, and per backend its namespace and compiled include/exclude matchers. */
  readonly naming: {
    readonly prefix: string;
    readonly separator: string;
    readonly backends: ReadonlyArray<{ readonly name: string; readonly namespace: string; readonly include?: string; readonly exclude?: string }>;
  };
  /** The compiled per-item overrides, keyed as requests are matched: kind, backend, original name or URI. */
  readonly routes: ReadonlyArray<{ readonly kind: string; readonly backend: string; readonly name: string; readonly rename?: string; readonly hide?: boolean; readonly description?: string }>;
  /** The chain, in order; a custom interceptor appears as `custom:NAME` after the stage it is placed at. */
  readonly stages: readonly string[];
  /** How callers are authenticated (none, bearer). */
  readonly auth: string;
  readonly policies?: { readonly default: string; readonly rules: readonly string[] };
  readonly filters?: readonly string[];
  /** Rate limits in the order they count: `NAME: N requests per WINDOW per KEY`. */
  readonly rateLimits?: readonly string[];
}

/**
 * Runtime state a pipeline uses but does not own: the cache's answers and the concurrency
 * caps' gates. The runtime keeps them across recompiles (a reload keeps what is cached and
 * what is in flight); left out, the pipeline gets fresh ones of its own.
 */
export interface PipelineState {
  readonly cache?: ResultStore;
  readonly gates?: ConcurrencyGates;
  /** Rate-limit counters; without them the pipeline counts in memory of its own (fresh each compile). */
  readonly rateCounters?: RateCounters;
}

const forward: Handler = (ctx) => (METHODS[ctx.method] as MethodSpec).forward(ctx);

/**
 * ResolvedConfig → Pipeline. Pure: no sockets, no processes, no clock; everything a request
 * needs is built here once, so per request there are only lookups and calls.
 */
export function compile(config: ResolvedConfig, state: PipelineState = {}): Pipeline {
  const plan = planNaming(config);
  const backends: BackendTable = {
    separator: config.naming.separator,
    namespaces: new Map(Object.values(config.backends).flatMap((b) => (b.enabled ? [[b.name, b.namespace] as const] : []))),
  };
  /**
   * Resolves the item a request names into `ctx.target`, for every method that names one. A
   * name its catalog did not list is resolved again once the client's own session with that
   * backend is up (the slow path, off the common one).
   */
  const authenticator = compileAuthenticator(config.auth);
  const policies = config.policies ? compilePolicies(config.policies) : undefined;
  const authorize = policies && authorizeStage(policies, compileLabels(config), policies.reads.time, policies.reads.session);
  const filters = compileFilters(config.filters);
  const limit = rateLimitStage(config.limits.rateLimits, state.rateCounters ?? new MemoryRateCounters());
  const resolveTargetStage: Interceptor = (ctx, next) => {
    const spec: MethodSpec = METHODS[ctx.method];
    if (!spec.names) return next();
    const ref = spec.names(ctx.params);
    try {
      ctx.target = resolveTarget(ctx.scope, backends, ref);
    } catch (error) {
      return startOwnSessionFor(ctx.scope, backends, ref, error).then((again) => {
        if (!again) throw authorize ? hideUnlisted(ctx, ref, error, backends, authorize.isHidden) : error;
        ctx.target = resolveTarget(ctx.scope, backends, ref);
        return next();
      });
    }
    return next();
  };
  // Every request has a caller: the binding's (authenticated per HTTP request, configured for stdio).
  const authenticateStage: Interceptor = (ctx, next) => {
    ctx.identity = ctx.info.identity ?? ANONYMOUS;
    return next();
  };
  const chain: Array<{ name: string; interceptor: Interceptor }> = [];
  const builtIn: Partial<Record<Stage, Interceptor>> = {
    authenticate: authenticateStage,
    resolveTarget: resolveTargetStage,
    ...(authorize ? { authorize: authorize.stage } : {}),
    ...(limit ? { limit } : {}),
    ...(filters.size > 0 ? { filter: filterStage(filters) } : {}),
    ...(config.cache.rules.length > 0 ? { cache: cacheStage(config.cache.rules, state.cache ?? new ResultStore(config.cache.maxBytes)) } : {}),
    ...(config.limits.concurrency.length > 0 ? { concurrency: concurrencyStage(config.limits.concurrency, state.gates ?? new ConcurrencyGates()) } : {}),
  };
  for (const stage of STAGES) {
    const interceptor = builtIn[stage];
    if (interceptor) chain.push({ name: stage, interceptor });
    for (const custom of config.interceptors) if (custom.stage === stage) chain.push({ name: `custom:${custom.name}`, interceptor: custom.handle });
  }
  const handle = compose(
    chain.map((c) => c.interceptor),
    forward,
  );
  const description: PipelineDescription = {
    naming: {
      prefix: plan.prefix,
      separator: plan.separator,
      backends: [...backends.namespaces].map(([name, namespace]) => {
        const m = plan.matchers.get(name);
        return { name, namespace, ...(m?.include ? { include: m.include.source } : {}), ...(m?.exclude ? { exclude: m.exclude.source } : {}) };
      }),
    },
    routes: [...plan.overrides].map(([key, override]) => {
      const [kind, backend, name] = key.split("\u0000") as [string, string, string];
      return { kind, backend, name, ...Object.fromEntries(Object.entries(override).filter(([, v]) => v !== undefined)) };
    }),
    stages: [...chain.map((c) => c.name), "forward"],
    auth: config.auth.type,
    ...(config.policies ? { policies: { default: config.policies.default, rules: config.policies.rules.map((r) => `${r.mode === "shadow" ? "shadow " : ""}${r.effect} ${r.name}`) } } : {}),
    ...(config.filters.length > 0 ? { filters: config.filters.map((f) => f.name) } : {}),
    ...(config.limits.rateLimits.length > 0 ? { rateLimits: config.limits.rateLimits.map(describeRateLimit) } : {}),
  };
  return { handle, plan, backends, authenticator, policies, filters, claimsRead: policies?.readsAllClaims ? "*" : (policies?.claimsRead ?? []), describe: () => description };
}

/**
 * An item the caller cannot see gets the unknown-item answer even when its backend is down
 * or was never reached: "backend X is unavailable" would tell that it exists.
 */
function hideUnlisted(ctx: RequestContext, ref: ItemRef, error: unknown, backends: BackendTable, isHidden: (ctx: RequestContext, target: Target) => boolean): unknown {
  if (!(error instanceof ProxyError) || error.code !== "BACKEND_UNAVAILABLE") return error;
  const backend = error.data?.backend;
  if (typeof backend !== "string") return error;
  const target = provisionalTarget(ctx.scope, ref, backend, backends);
  if (!target || !isHidden(ctx, target)) return error;
  ctx.decision = HIDDEN;
  return unknownItem(ctx, target);
}

/** What a request would name if its backend were up: from the last listing, or from the namespace alone. */
function provisionalTarget(scope: ClientScope, ref: ItemRef, backend: string, backends: BackendTable): Target | undefined {
  if (ref.kind === "task") return { kind: "task", exposed: ref.name, backend, original: ref.name };
  const kind = ref.kind === "tool" ? "tool" : ref.kind === "prompt" || ref.refType === "ref/prompt" ? "prompt" : "resource";
  if (kind === "resource") return { kind, exposed: ref.name, backend, original: ref.name };
  const route = (kind === "tool" ? scope.knownSurface.toolRoutes : scope.knownSurface.promptRoutes).get(ref.name);
  if (route) return { kind, exposed: ref.name, backend: route.backend, original: route.original };
  const prefix = `${backends.namespaces.get(backend) ?? backend}${backends.separator}`;
  return { kind, exposed: ref.name, backend, original: ref.name.startsWith(prefix) ? ref.name.slice(prefix.length) : ref.name };
}

/** Refusals that a client's own upstream session, started now, might turn into an answer. */
const RESOLVE_AGAIN: ReadonlySet<string> = new Set(["UNKNOWN_TOOL", "UNKNOWN_PROMPT"]);

/**
 * A catalog lists what a backend offers a client with these capabilities, but a server may
 * list by more than that (who the client says it is, state of its own). When a tool or prompt
 * is unknown but its name carries a per-client backend's namespace, that client's own upstream
 * session is started so the name can be resolved again against its own listing. Nothing was
 * sent to the backend: a name that resolved would have started the own session itself.
 * Returns whether resolving again may now succeed.
 */
async function startOwnSessionFor(scope: Pick<ClientScope, "startOwn">, backends: BackendTable, ref: ItemRef, error: unknown): Promise<boolean> {
  if (!(error instanceof ProxyError) || !RESOLVE_AGAIN.has(error.code)) return false;
  if (ref.kind !== "tool" && ref.kind !== "prompt" && !(ref.kind === "completion" && ref.refType === "ref/prompt")) return false;
  let started = false;
  for (const backend of backendsClaiming(ref.name, backends)) if (await scope.startOwn(backend)) started = true;
  return started;
}
