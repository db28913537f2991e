import type { Interceptor, RequestContext, Result, Target } from "../core/context.js";
import { isUnexpectedError, ProxyError } from "../core/errors.js";
import type { CompiledFilters, FilterTarget, ItemKind, ResultFilter } from "../filters/index.js";

/** Results that carry what a backend produced for a client: the ones filters apply to. */
const FILTERED_METHODS: ReadonlySet<string> = new Set(["tools/call", "prompts/get", "resources/read", "tasks/result", "tasks/get"]);

/**
 * The way back: response filters on every result that carries backend content. Runs innermost
 * (right around forward), so custom interceptors and the audit only ever see filtered results.
 * A task's result is filtered as the tool call that created it: the payload of tasks/result,
 * and the result (or error) a 2026-07-28 task inlines in its tasks/get answer.
 */
export function filterStage(filters: CompiledFilters): Interceptor {
  return async (ctx, next) => {
    if (!FILTERED_METHODS.has(ctx.method)) return next();
    const target = filterTarget(ctx);
    const filter = target && filters.select(target);
    if (!filter) return next();
    let result: Result;
    try {
      result = await next();
    } catch (error) {
      throw redactBackendError(error, filter);
    }
    ctx.filtered = filter.names;
    return ctx.method === "tasks/get" ? filterInlined(result, filter) : filter.apply(result);
  };
}

/**
 * tasks/get of the 2026-07-28 tasks extension inlines the finished call's `result` (a tools/call
 * result) or, for a failed task, the backend's `error`: the same backend content a tools/call
 * answer carries, so the same filters apply. The task's own fields (id, status, times) and its
 * pending input requests (requests to the client, never filtered) stay as they are.
 */
function filterInlined(task: Result, filter: ResultFilter): Result {
  const inlined = task.result;
  if (typeof inlined === "object" && inlined !== null && !Array.isArray(inlined)) return { ...task, result: filter.apply(inlined as Result) };
  const error = task.error as { message?: unknown; data?: unknown } | undefined;
  if (typeof error === "object" && error !== null && typeof error.message === "string") {
    return { ...task, error: { ...error, message: filter.redactValue(error.message), ...(error.data === undefined ? {} : { data: filter.redactValue(error.data) }) } };
  }
  return task;
}

/**
 * A JSON-RPC error the backend answered with reaches the client as it came, message and data
 * included: a secret in it ("key sk-live-… was rejected") is backend text a client receives,
 * so the same redactions apply. The proxy's own errors are left as they are.
 */
function redactBackendError(error: unknown, filter: ResultFilter): unknown {
  if (error instanceof ProxyError || isUnexpectedError(error)) return error;
  const { code, message, data } = error as { code: number; message: string; data?: unknown };
  const redactedMessage = filter.redactValue(message) as string;
  const redactedData = data === undefined ? undefined : filter.redactValue(data);
  if (redactedMessage === message && redactedData === data) return error;
  return Object.assign(new Error(redactedMessage), { code, ...(data === undefined ? {} : { data: redactedData }) });
}

/** The request's item for filter matching; arguments (for the audit line) are matched the same way. */
export function filterTarget(ctx: RequestContext): FilterTarget | undefined {
  let target: Target | undefined = ctx.target;
  if (!target) return undefined;
  if (target.kind !== "task") return { method: ctx.method, kind: target.kind as ItemKind, name: target.exposed, backend: target.backend };
  // A task's result is matched as the tools/call that created it (a filter limited to
  // methods: ["tools/call"] covers it too); one whose origin was forgotten is still filtered by
  // every filter not tied to a name.
  target = ctx.scope.taskOrigins.get(target.exposed) ?? { kind: "tool", exposed: "", backend: target.backend, original: "" };
  return { method: "tools/call", kind: target.kind as ItemKind, name: target.exposed, backend: target.backend };
}
