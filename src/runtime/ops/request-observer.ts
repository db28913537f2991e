import { withTraceparent } from "../../backends/trace-context.js";
import type { Pipeline } from "../../compile/compile.js";
import type { Params, RequestContext, Result, RoutedContext } from "../../core/context.js";
import type { GatewayMetrics } from "./metrics.js";
import type { OpenSpan, Tracer } from "./tracing.js";

/**
 * What watches every routed request and every upstream call: metrics always, spans when
 * tracing is configured. Client sessions call it around the pipeline and around each call to
 * a backend, and know nothing of Prometheus or OpenTelemetry.
 */
export class RequestObserver {
  /** Each request's span, so its upstream calls become its children. */
  readonly #spans = new WeakMap<RequestContext, OpenSpan>();

  constructor(
    private readonly metrics: GatewayMetrics,
    private readonly tracer: Tracer | undefined,
  ) {}

  /** Runs one routed request through `run` (the pipeline), counted and, when tracing, inside a span. */
  async request(ctx: RequestContext, pipeline: Pipeline, run: () => Promise<Result>): Promise<Result> {
    const started = performance.now();
    const span = this.tracer?.start(`mcp ${ctx.method}`, "server", inboundTraceparent(ctx), { "mcp.method": ctx.method, "mcp.binding": ctx.info.binding, "mcp.session": ctx.scope.sessionId });
    if (span) this.#spans.set(ctx, span);
    let failed = false;
    try {
      return await run();
    } catch (error) {
      failed = true;
      span?.fail((error as Error)?.message ?? "error");
      throw error;
    } finally {
      const backend = ctx.target?.backend ?? "";
      const decision = ctx.decision ? (ctx.decision.allowed ? "allow" : "deny") : pipeline.policies ? "none" : "allow";
      this.metrics.request({ method: ctx.method, backend, decision, status: failed ? "error" : "ok", seconds: (performance.now() - started) / 1000 });
      if (span) {
        if (ctx.target) span.setAttribute("mcp.target", ctx.target.exposed);
        if (backend) span.setAttribute("mcp.backend", backend);
        span.setAttribute("mcp.decision", decision);
        span.end();
      }
    }
  }

  /**
   * One call to a backend: timed, and when tracing, a client span whose trace context the
   * backend receives in `params._meta.traceparent` (every transport) and in the `traceparent`
   * header (HTTP transports).
   */
  async upstream(ctx: RoutedContext, method: string, params: Params, send: (params: Params) => Promise<Result>): Promise<Result> {
    const backend = ctx.target.backend;
    const started = performance.now();
    const span = this.tracer?.start(`${method} ${backend}`, "client", this.#spans.get(ctx)?.traceparent ?? inboundTraceparent(ctx), { "mcp.method": method, "mcp.backend": backend });
    let status: "ok" | "error" = "ok";
    try {
      if (!span) return await send(params);
      const traced = { ...params, _meta: { ...(params._meta as Params | undefined), traceparent: span.traceparent } };
      return await withTraceparent(span.traceparent, () => send(traced));
    } catch (error) {
      status = "error";
      span?.fail((error as Error)?.message ?? "error");
      throw error;
    } finally {
      this.metrics.upstream(backend, method, status, (performance.now() - started) / 1000);
      span?.end();
    }
  }
}

/** The caller's trace context: the HTTP header, else `_meta.traceparent` (stdio clients, modern era). */
function inboundTraceparent(ctx: RequestContext): string | undefined {
  const header = ctx.info.headers?.traceparent;
  if (typeof header === "string") return header;
  const meta = (ctx.params._meta as Params | undefined)?.traceparent;
  return typeof meta === "string" ? meta : undefined;
}
