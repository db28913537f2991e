import type { Params, RequestContext, Result, RoutedContext, RoutedMethod } from "./context.js";
import { ProxyError } from "./errors.js";
import { cacheFields } from "./freshness.js";
import { isLogLevel, LOG_LEVELS } from "./log-levels.js";
import { paramHeaderMismatch, paramHeadersOfTool } from "./param-headers.js";
import type { ItemRef } from "./resolve-target.js";
import { createdTaskId, namespaceTask, namespaceTaskResult } from "./tasks.js";

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

/** A string param the method cannot do without; a precise -32602 instead of "Unknown tool: undefined". */
const required = (params: Params, key: string, method: string): string => {
  const value = params[key];
  if (typeof value !== "string") throw new ProxyError("INVALID_PARAMS", `Invalid params: ${method} needs params.${key} (a string)`);
  return value;
};
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
      // A modern client may cache the list: no longer than its backends promised (a legacy client's results have no such fields).
      const surface = ctx.scope.surface;
      return ctx.era === "modern" ? { [key]: surface[key], ...cacheFields(surface.freshness[key]) } : { [key]: surface[key] };
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

/** How many task origins a session remembers; the oldest is forgotten first. */
const TASK_ORIGINS_KEPT = 1024;

/** Remembers which call created a task, so its later methods are decided and filtered as that call. */
function rememberTask(forward: MethodSpec["forward"]): MethodSpec["forward"] {
  return async (ctx) => {
    const result = await forward(ctx);
    const taskId = createdTaskId(result);
    if (typeof taskId === "string" && ctx.target) {
      const origins = ctx.scope.taskOrigins;
      if (origins.size >= TASK_ORIGINS_KEPT) origins.delete(origins.keys().next().value!);
      origins.set(taskId, ctx.target);
    }
    return result;
  };
}

/**
 * A 2026-07-28 tools/call over HTTP must carry the `Mcp-Param-*` headers its arguments call for
 * (SEP-2243), going by the `x-mcp-header` marks of the tool as the caller's surface lists it:
 * HTTP 400, -32020 otherwise. Checked here, once the call is authorized and before it reaches
 * the backend, so a tool hidden from the caller stays unknown to it and the refusal is audited.
 */
function checkParamHeaders(forward: MethodSpec["forward"]): MethodSpec["forward"] {
  return async (ctx) => {
    if (ctx.era === "modern" && ctx.info.transport === "streamable-http" && ctx.target) {
      const tool = ctx.scope.surface.tools.find((t) => t.name === ctx.target!.exposed);
      const marks = tool ? paramHeadersOfTool(tool) : [];
      const problem = marks.length === 0 ? undefined : paramHeaderMismatch(marks, ctx.params.arguments, (name) => {
        const value = ctx.info.headers?.[name];
        return Array.isArray(value) ? value[0] : value;
      });
      if (problem !== undefined) throw new ProxyError("HEADER_MISMATCH", `Bad Request: ${problem}`);
    }
    return forward(ctx);
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
  "tools/call": { names: (p) => ({ kind: "tool", name: required(p, "name", "tools/call") }), forward: checkParamHeaders(rememberTask(renamed("name", "tools/call", namespaceTaskResult))) },
  "prompts/get": { names: (p) => ({ kind: "prompt", name: required(p, "name", "prompts/get") }), forward: renamed("name", "prompts/get") },
  "resources/read": { names: (p) => ({ kind: "resource", name: required(p, "uri", "resources/read") }), forward: (ctx) => ctx.scope.forward(routed(ctx), "resources/read", ctx.params) },
  "resources/subscribe": { names: (p) => ({ kind: "resource", name: required(p, "uri", "resources/subscribe") }), forward: (ctx) => ctx.scope.subscribe(routed(ctx)) },
  "resources/unsubscribe": { names: (p) => ({ kind: "resource", name: required(p, "uri", "resources/unsubscribe") }), forward: (ctx) => ctx.scope.unsubscribe(routed(ctx)) },
  "completion/complete": {
    names: (p) => {
      const ref = (typeof p.ref === "object" && p.ref !== null ? p.ref : {}) as Params;
      if (ref.type === "ref/prompt") return { kind: "completion", refType: "ref/prompt", name: required(ref, "name", "completion/complete (ref/prompt): ref") };
      if (ref.type === "ref/resource") return { kind: "completion", refType: "ref/resource", name: required(ref, "uri", "completion/complete (ref/resource): ref") };
      throw new ProxyError("INVALID_PARAMS", 'Invalid params: completion/complete needs params.ref of type "ref/prompt" or "ref/resource"');
    },
    forward: (ctx) => {
      const c = routed(ctx);
      const ref = (c.params.ref ?? {}) as Params;
      const params = c.target.kind === "prompt" ? { ...c.params, ref: { ...ref, name: c.target.original } } : c.params;
      return c.scope.forward(c, "completion/complete", params);
    },
  },
  "logging/setLevel": {
    forward: (ctx) => {
      // Checked here, before any backend or any other client's combined level is touched.
      if (!isLogLevel(ctx.params.level)) throw new ProxyError("INVALID_PARAMS", `Invalid params: logging/setLevel needs params.level, one of ${LOG_LEVELS.join(", ")}`);
      return ctx.scope.setLogLevel(ctx.params);
    },
  },
  "tasks/get": { names: (p) => ({ kind: "task", name: required(p, "taskId", "tasks/get") }), forward: renamed("taskId", "tasks/get", namespaceTask) },
  "tasks/result": { names: (p) => ({ kind: "task", name: required(p, "taskId", "tasks/result") }), forward: renamed("taskId", "tasks/result") },
  "tasks/cancel": { names: (p) => ({ kind: "task", name: required(p, "taskId", "tasks/cancel") }), forward: renamed("taskId", "tasks/cancel", namespaceTask) },
  "tasks/list": {
    forward: (ctx) => {
      noCursor(ctx.params);
      return ctx.scope.listTasks();
    },
  },
  // 2026-07-28 tasks extension: the client's answers to a task waiting in input_required.
  "tasks/update": { names: (p) => ({ kind: "task", name: required(p, "taskId", "tasks/update") }), forward: renamed("taskId", "tasks/update") },
} satisfies Record<RoutedMethod, MethodSpec>;

/** Routed methods only the modern era has (the tasks extension's tasks/update): a legacy session gets -32601. */
export const MODERN_ONLY_METHODS: ReadonlySet<string> = new Set(["tasks/update"]);

const ROUTED: ReadonlySet<string> = new Set(Object.keys(METHODS));

export function isRoutedMethod(method: string): method is RoutedMethod {
  return ROUTED.has(method);
}

export const ROUTED_METHODS: readonly RoutedMethod[] = Object.keys(METHODS) as RoutedMethod[];
