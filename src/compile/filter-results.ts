import type { Interceptor, RequestContext, Result, Target } from "../core/context.js";
import { isUnexpectedError, ProxyError } from "../core/errors.js";
import type { CompiledFilters, FilterTarget, ItemKind, ResultFilter } from "../filters/index.js";

/** Results that carry what a backend produced for a client: the ones filters apply to. */
const FILTERED_METHODS: ReadonlySet<string> = new Set(["tools/call", "prompts/get", "resources/read", "tasks/result"]);

/**
 * The way back: response filters on every result that carries backend content. Runs innermost
 * (right around forward), so custom interceptors and the audit only ever see filtered results.
 * A task's result is filtered as the tool call that created it.
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
    return filter.apply(result);
  };
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
