import type { ResolvedConfig } from "../config/index.js";
import { compose } from "../core/compose.js";
import type { Handler, Interceptor } from "../core/context.js";
import { METHODS, type MethodSpec } from "../core/methods.js";
import type { ClientScope } from "../core/context.js";
import { ProxyError } from "../core/errors.js";
import { type BackendTable, backendsClaiming, type ItemRef, resolveTarget } from "../core/resolve-target.js";
import type { NamingPlan } from "../core/surface.js";
import { planNaming } from "./naming-plan.js";

/**
 * The stages of the chain, in the order the compiler puts them, whatever order a config
 * writes things in. Later features plug into their named stage; a stage with nothing
 * configured is left out of the chain entirely.
 */
export const STAGES = ["authenticate", "resolveTarget", "authorize", "limit", "custom", "forward"] as const;
export type Stage = (typeof STAGES)[number];

/** A compiled config: the naming plan, the backend table and one composed chain every routed request runs through. */
export interface Pipeline {
  readonly handle: Handler;
  readonly plan: NamingPlan;
  readonly backends: BackendTable;
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
  /** The chain, in order. */
  readonly stages: readonly Stage[];
}

const forward: Handler = (ctx) => (METHODS[ctx.method] as MethodSpec).forward(ctx);

/**
 * ResolvedConfig → Pipeline. Pure: no sockets, no processes, no clock; everything a request
 * needs is built here once, so per request there are only lookups and calls.
 */
export function compile(config: ResolvedConfig): Pipeline {
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
  const resolveTargetStage: Interceptor = (ctx, next) => {
    const spec: MethodSpec = METHODS[ctx.method];
    if (!spec.names) return next();
    const ref = spec.names(ctx.params);
    try {
      ctx.target = resolveTarget(ctx.scope, backends, ref);
    } catch (error) {
      return startOwnSessionFor(ctx.scope, backends, ref, error).then((again) => {
        if (!again) throw error;
        ctx.target = resolveTarget(ctx.scope, backends, ref);
        return next();
      });
    }
    return next();
  };
  const chain = new Map<Stage, Interceptor>([["resolveTarget", resolveTargetStage]]);
  const stages = STAGES.filter((stage) => chain.has(stage));
  const handle = compose(
    stages.map((stage) => chain.get(stage)!),
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
    stages: [...stages, "forward"],
  };
  return { handle, plan, backends, describe: () => description };
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
