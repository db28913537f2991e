import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectClient, recorderBackend, startHttpRecorder, textOf, waitFor } from "../support/mcp-clients.js";
import { type ProxyProcess, startProxyProcess } from "../support/proxy-process.js";

// Tracing with a real OTLP/HTTP receiver on loopback (written here: it accepts POST /v1/traces
// in the JSON encoding, which the gateway's exporter uses) and a real HTTP backend that reports
// the trace context each call reached it with, header and _meta.

interface ExportedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: Array<{ key: string; value: Record<string, unknown> }>;
}

interface Received {
  spans: ExportedSpan[];
  serviceNames: string[];
  contentTypes: string[];
}

function startOtlpReceiver(): Promise<{ url: string; received: Received; server: Server }> {
  const received: Received = { spans: [], serviceNames: [], contentTypes: [] };
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      if (req.method !== "POST" || req.url !== "/v1/traces") return void res.writeHead(404).end();
      received.contentTypes.push(String(req.headers["content-type"]));
      const payload = JSON.parse(body) as { resourceSpans: Array<{ resource: { attributes: ExportedSpan["attributes"] }; scopeSpans: Array<{ spans: ExportedSpan[] }> }> };
      for (const rs of payload.resourceSpans) {
        const name = rs.resource.attributes.find((a) => a.key === "service.name")?.value.stringValue;
        if (typeof name === "string") received.serviceNames.push(name);
        for (const ss of rs.scopeSpans) received.spans.push(...ss.spans);
      }
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({ url: `http://127.0.0.1:${(server.address() as { port: number }).port}/v1/traces`, received, server })));
}

const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const CLIENT_SPAN = "00f067aa0ba902b7";
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/;

describe("tracing with OpenTelemetry", () => {
  let proxy: ProxyProcess;
  let web: { url: string; stop(): void };
  let otlp: Awaited<ReturnType<typeof startOtlpReceiver>>;

  beforeAll(async () => {
    otlp = await startOtlpReceiver();
    web = await startHttpRecorder("web");
    proxy = await startProxyProcess({
      version: 1,
      backends: { web: { transport: "http", url: web.url, session: "shared" }, local: recorderBackend("local") },
      bindings: [{ transport: "http", port: 0 }],
      tracing: { otlpEndpoint: otlp.url, serviceName: "ops-trace-test", sampleRatio: 1 },
      logging: { level: "warn" },
    });
  }, 30_000);

  afterAll(async () => {
    await proxy?.stop();
    web?.stop();
    otlp?.server.close();
  });

  it("continues the caller's trace: a span per request and per upstream call, and the context reaches every backend", async () => {
    const c = await connectClient("http", { url: proxy.url });
    let webSeen: { header: string; meta: string };
    let localSeen: { header: string | null; meta: string };
    try {
      const _meta = { traceparent: `00-${TRACE_ID}-${CLIENT_SPAN}-01` };
      webSeen = JSON.parse(textOf(await c.client.callTool({ name: "web__trace", arguments: {}, _meta })));
      localSeen = JSON.parse(textOf(await c.client.callTool({ name: "local__trace", arguments: {}, _meta })));
    } finally {
      await c.terminate();
    }
    // An HTTP backend gets the header and _meta, both naming the gateway's upstream span.
    expect(webSeen.header).toMatch(TRACEPARENT);
    expect(webSeen.meta).toBe(webSeen.header);
    expect(TRACEPARENT.exec(webSeen.header)![1]).toBe(TRACE_ID);
    // A stdio backend has no headers: _meta carries it.
    expect(localSeen.header).toBeNull();
    expect(TRACEPARENT.exec(localSeen.meta)![1]).toBe(TRACE_ID);

    const webUpstreamSpan = TRACEPARENT.exec(webSeen.header)![2]!;
    const localUpstreamSpan = TRACEPARENT.exec(localSeen.meta)![2]!;
    expect(await waitFor(() => otlp.received.spans.filter((s) => s.traceId === TRACE_ID).length >= 4, 15_000, 100)).toBe(true);
    const spans = otlp.received.spans.filter((s) => s.traceId === TRACE_ID);
    const requests = spans.filter((s) => s.name === "mcp tools/call");
    expect(requests).toHaveLength(2);
    // The request spans are children of the caller's span; server kind (2).
    for (const span of requests) expect(span).toMatchObject({ parentSpanId: CLIENT_SPAN, kind: 2 });
    const upstreamWeb = spans.find((s) => s.spanId === webUpstreamSpan)!;
    const upstreamLocal = spans.find((s) => s.spanId === localUpstreamSpan)!;
    expect(upstreamWeb).toMatchObject({ name: "tools/call web", kind: 3 });
    expect(upstreamLocal).toMatchObject({ name: "tools/call local", kind: 3 });
    // Each upstream span is the child of its own request's span.
    expect(requests.map((s) => s.spanId).sort()).toEqual([upstreamWeb.parentSpanId, upstreamLocal.parentSpanId].sort());
    const attribute = (span: ExportedSpan, key: string) => span.attributes.find((a) => a.key === key)?.value.stringValue;
    expect(requests.map((s) => attribute(s, "mcp.target")).sort()).toEqual(["local__trace", "web__trace"]);
    expect(otlp.received.serviceNames).toContain("ops-trace-test");
    expect(otlp.received.contentTypes[0]).toContain("application/json");
  });

  it("starts a new trace for a request that arrives without one", async () => {
    const c = await connectClient("http", { url: proxy.url });
    let seen: { header: string; meta: string };
    try {
      seen = JSON.parse(textOf(await c.client.callTool({ name: "web__trace", arguments: {} })));
    } finally {
      await c.terminate();
    }
    const traceId = TRACEPARENT.exec(seen.header)![1]!;
    expect(traceId).not.toBe(TRACE_ID);
    expect(await waitFor(() => otlp.received.spans.some((s) => s.traceId === traceId && s.name === "mcp tools/call" && s.parentSpanId === undefined), 15_000, 100)).toBe(true);
  });
});
