import type { ResolvedConfig } from "../config/index.js";
import { compose } from "../core/compose.js";
import type { Handler, Interceptor } from "../core/context.js";
import { METHODS, type MethodSpec, ROUTED_METHODS } from "../core/methods.js";
import { resolveTarget } from "../core/resolve-target.js";
import type { NamingPlan } from "../core/surface.js";
import { planNaming } from "./naming-plan.js";

/**
 * The stages of the chain, in the order the compiler puts them, whatever order a config
 * writes things in. Later features plug into their named stage; a stage with nothing
 * configured is left out of the chain entirely.
 */
export const STAGES = ["authenticate", "resolveTarget", "authorize", "limit", "custom", "forward"] as const;
export type Stage = (typeof STAGES)[number];

/** A compiled config: the naming plan and one composed chain every routed request runs through. */
export interface Pipeline {
  readonly handle: Handler;
  readonly plan: NamingPlan;
  /** The backends this pipeline was compiled for, in config order (the order of merged lists). */
  readonly backendOrder: readonly string[];
  describe(): PipelineDescription;
}

export interface PipelineDescription {
  readonly naming: { readonly prefix: string; readonly separator: string };
  readonly backends: ReadonlyArray<{
    readonly name: string;
    readonly namespace: string;
    readonly transport: string;
    readonly session: string;
    readonly enabled: boolean;
    readonly include?: readonly string[];
    readonly exclude?: readonly string[];
  }>;
  readonly routes: ReadonlyArray<Record<string, unknown>>;
  /** What each routed method names, resolved by the resolveTarget stage (`-` for none). */
  readonly methods: Readonly<Record<string, string>>;
  readonly stages: readonly Stage[];
}

/** Resolves the item a request names into `ctx.target`, for every method that names one. */
const resolveTargetStage: Interceptor = (ctx, next) => {
  const spec: MethodSpec = METHODS[ctx.method];
  if (spec.names) ctx.target = resolveTarget(ctx.scope, spec.names(ctx.params));
  return next();
};

const forward: Handler = (ctx) => (METHODS[ctx.method] as MethodSpec).forward(ctx);

/**
 * ResolvedConfig → Pipeline. Pure: no sockets, no processes, no clock; everything a request
 * needs is built here once, so per request there are only lookups and calls.
 */
export function compile(config: ResolvedConfig): Pipeline {
  const plan = planNaming(config);
  const stages: Array<[Stage, Interceptor]> = [["resolveTarget", resolveTargetStage]];
  stages.sort((a, b) => STAGES.indexOf(a[0]) - STAGES.indexOf(b[0]));
  const handle = compose(
    stages.map(([, interceptor]) => interceptor),
    forward,
  );
  const backendOrder = Object.keys(config.backends);
  const description: PipelineDescription = {
    naming: { prefix: config.naming.prefix, separator: config.naming.separator },
    backends: Object.values(config.backends).map((b) => ({
      name: b.name,
      namespace: b.namespace,
      transport: b.transport,
      session: b.session,
      enabled: b.enabled,
      ...(b.include ? { include: b.include } : {}),
      ...(b.exclude.length ? { exclude: b.exclude } : {}),
    })),
    routes: config.routes.map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined))),
    methods: Object.fromEntries(ROUTED_METHODS.map((m) => [m, describeNames(METHODS[m])])),
    stages: [...stages.map(([stage]) => stage), "forward"],
  };
  return { handle, plan, backendOrder, describe: () => description };
}

function describeNames(spec: MethodSpec): string {
  if (spec.list) return `list ${spec.list}`;
  if (!spec.names) return "-";
  const probe = spec.names({ name: "", uri: "", taskId: "", ref: { type: "ref/prompt" } });
  return probe.kind === "completion" ? "prompt or resource template (by ref)" : probe.kind;
}
