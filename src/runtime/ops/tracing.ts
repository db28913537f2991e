import type { ResolvedTracing } from "../../config/index.js";

/** One span, as the gateway uses it: attributes, an error status, an end. */
export interface OpenSpan {
  /** `00-<trace id>-<span id>-<flags>`: this span as W3C trace context, for the next hop. */
  readonly traceparent: string;
  setAttribute(key: string, value: string | number | boolean): void;
  fail(message: string): void;
  end(): void;
}

/** Starts spans; `parent` is a W3C traceparent (the client's, or the request span's). */
export interface Tracer {
  start(name: string, kind: "server" | "client", parent: string | undefined, attributes: Record<string, string | number | boolean>): OpenSpan;
  /** Exports what is buffered and stops (shutdown). */
  close(): Promise<void>;
}

/** The optional packages tracing needs; named in the error when one is missing. */
const PACKAGES = ["@opentelemetry/api", "@opentelemetry/sdk-trace-node", "@opentelemetry/exporter-trace-otlp-http", "@opentelemetry/resources"] as const;

/** The error `start` reports when tracing is configured but the packages are not installed. */
export class TracingUnavailableError extends Error {
  override name = "TracingUnavailableError";
}

/** How long one export, and the last flush at shutdown, may take. */
const EXPORT_TIMEOUT_MS = 3000;

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/**
 * Starts OpenTelemetry tracing as the config's `tracing` section says: an OTLP/HTTP (JSON)
 * exporter, a parent-based ratio sampler, spans batched. The SDK is loaded here, by dynamic
 * import, and only when tracing is configured: a gateway without tracing never loads it, and
 * one installed without the optional packages fails at start with their names.
 */
export async function startTracing(settings: ResolvedTracing, version: string): Promise<Tracer> {
  const [api, node, exporterModule, resources] = await Promise.all(
    PACKAGES.map((name) =>
      import(name).catch((error: unknown) => {
        throw new TracingUnavailableError(
          `tracing is configured but ${name} cannot be loaded (${(error as Error).message}); install the optional packages (npm install ${PACKAGES.join(" ")}) or remove the tracing section`,
        );
      }),
    ),
  );
  const exporter = new exporterModule.OTLPTraceExporter({ url: settings.otlpEndpoint, timeoutMillis: EXPORT_TIMEOUT_MS });
  const provider = new node.NodeTracerProvider({
    resource: resources.resourceFromAttributes({ "service.name": settings.serviceName, "service.version": version }),
    sampler: new node.ParentBasedSampler({ root: new node.TraceIdRatioBasedSampler(settings.sampleRatio) }),
    spanProcessors: [new node.BatchSpanProcessor(exporter, { scheduledDelayMillis: 500 })],
  });
  // Not registered globally: the gateway passes parents explicitly, so it cannot disturb (or be
  // disturbed by) a tracer the embedding application set up.
  const tracer = provider.getTracer("mcp-portcullis", version);
  const kinds = { server: api.SpanKind.SERVER, client: api.SpanKind.CLIENT };
  return {
    start(name, kind, parent, attributes) {
      const parentContext = parent ? contextOf(api, parent) : api.ROOT_CONTEXT;
      const span = tracer.startSpan(name, { kind: kinds[kind], attributes }, parentContext);
      const sc = span.spanContext();
      return {
        traceparent: `00-${sc.traceId}-${sc.spanId}-${(sc.traceFlags & 1).toString(16).padStart(2, "0")}`,
        setAttribute: (key, value) => void span.setAttribute(key, value),
        fail: (message) => void span.setStatus({ code: api.SpanStatusCode.ERROR, message }),
        end: () => span.end(),
      };
    },
    // A collector that is down must not hold up shutdown: what is not out by then is lost.
    close: () => Promise.race([provider.shutdown(), new Promise<void>((resolve) => setTimeout(resolve, EXPORT_TIMEOUT_MS).unref())]),
  };
}

/** A context whose remote parent is the given traceparent; a malformed one starts a new trace. */
function contextOf(api: any, traceparent: string): unknown {
  const match = TRACEPARENT.exec(traceparent.trim().toLowerCase());
  if (!match || /^0+$/.test(match[1]!) || /^0+$/.test(match[2]!)) return api.ROOT_CONTEXT;
  return api.trace.setSpanContext(api.ROOT_CONTEXT, { traceId: match[1], spanId: match[2], traceFlags: Number.parseInt(match[3]!, 16), isRemote: true });
}
