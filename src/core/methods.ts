import type { Params, RequestContext, Result, RoutedContext, RoutedMethod } from "./context.js";
import { ProxyError } from "./errors.js";
import type { ItemRef } from "./resolve-target.js";
import { namespaceTask, namespaceTaskResult } from "./tasks.js";

export type ListKey = "tools" | "prompts" | "resources" | "resourceTemplates";

/**
 * How the pipeline serves one routed method. A method that names an item says how to read
 * that name from its params (`names`); the resolve stage turns it into `ctx.target` before
 * `forward` runs, so every later stage sees the target of every method in one place.
 */
export interface MethodSpec {
  /** The surface list a list method answers with (per-caller filtering wraps it). */
  readonly list?: ListKey;
  readonly names?: (params: Params) => ItemRef;
  readonly forward: (ctx: RequestContext) => Promise<Result>;
}

const str = (value: unknown): string => String(value);
const routed = (ctx: RequestContext): RoutedContext => {
  if (!ctx.target) throw new ProxyError("INTERNAL", `${ctx.method} reached forward without a target`);
  return ctx as RoutedContext;
};

/** Lists are merged eagerly, so there is one page; any cursor a client sends is one we never issued. */
function noCursor(params: Params): void {
  if (params.cursor !== undefined) throw new ProxyError("INVALID_CURSOR", `Invalid or stale cursor: ${JSON.stringify(params.cursor)}`);
}

function list(key: ListKey): MethodSpec {
  return {
    list: key,
    forward: async (ctx) => {
      noCursor(ctx.params);
      return { [key]: ctx.scope.surface[key] };
    },
  };
}

/** Forwards with the name (or task id) the backend knows, then maps what comes back. */
function renamed(field: "name" | "taskId", method: string, map?: (backend: string, result: Result) => Result): MethodSpec["forward"] {
  return async (ctx) => {
    const c = routed(ctx);
    const result = await c.scope.forward(c, method, { ...c.params, [field]: c.target.original });
    return map ? map(c.target.backend, result) : result;
  };
}

/**
 * The one declaration of every routed method: which item it names and how it is forwarded.
 * The session takes exactly these off the SDK's dispatch and hands them to the pipeline.
 */
export const METHODS = {
  "tools/list": list("tools"),
  "prompts/list": list("prompts"),
  "resources/list": list("resources"),
  "resources/templates/list": list("resourceTemplates"),
  "tools/call": { names: (p) => ({ kind: "tool", name: str(p.name) }), forward: renamed("name", "tools/call", namespaceTaskResult) },
  "prompts/get": { names: (p) => ({ kind: "prompt", name: str(p.name) }), forward: renamed("name", "prompts/get") },
  "resources/read": { names: (p) => ({ kind: "resource", name: str(p.uri) }), forward: (ctx) => ctx.scope.forward(routed(ctx), "resources/read", ctx.params) },
  "resources/subscribe": { names: (p) => ({ kind: "resource", name: str(p.uri) }), forward: (ctx) => ctx.scope.subscribe(routed(ctx)) },
  "resources/unsubscribe": { names: (p) => ({ kind: "resource", name: str(p.uri) }), forward: (ctx) => ctx.scope.unsubscribe(routed(ctx)) },
  "completion/complete": {
    names: (p) => {
      const ref = (p.ref ?? {}) as Params;
      return ref.type === "ref/prompt" ? { kind: "completion", refType: "ref/prompt", name: str(ref.name) } : { kind: "completion", refType: str(ref.type), name: str(ref.uri) };
    },
    forward: (ctx) => {
      const c = routed(ctx);
      const ref = (c.params.ref ?? {}) as Params;
      const params = c.target.kind === "prompt" ? { ...c.params, ref: { ...ref, name: c.target.original } } : c.params;
      return c.scope.forward(c, "completion/complete", params);
    },
  },
  "logging/setLevel": { forward: (ctx) => ctx.scope.setLogLevel(ctx.params) },
  "tasks/get": { names: (p) => ({ kind: "task", name: str(p.taskId) }), forward: renamed("taskId", "tasks/get", namespaceTask) },
  "tasks/result": { names: (p) => ({ kind: "task", name: str(p.taskId) }), forward: renamed("taskId", "tasks/result") },
  "tasks/cancel": { names: (p) => ({ kind: "task", name: str(p.taskId) }), forward: renamed("taskId", "tasks/cancel", namespaceTask) },
  "tasks/list": {
    forward: (ctx) => {
      noCursor(ctx.params);
      return ctx.scope.listTasks();
    },
  },
} satisfies Record<RoutedMethod, MethodSpec>;

const ROUTED: ReadonlySet<string> = new Set(Object.keys(METHODS));

export function isRoutedMethod(method: string): method is RoutedMethod {
  return ROUTED.has(method);
}

export const ROUTED_METHODS: readonly RoutedMethod[] = Object.keys(METHODS) as RoutedMethod[];
