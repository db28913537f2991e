import { Type } from "@sinclair/typebox";
import { SecretRef, strictObject } from "./common.js";

export const Admin = strictObject(
  {
    exposure: Type.Optional(
      Type.Union([Type.Literal("loopback"), Type.Literal("public"), Type.Literal("token")], {
        default: "loopback",
        description:
          "Who may reach /status, /metrics and /admin/* on the HTTP bindings (and on admin.listen). loopback (the default): only clients on this machine (127.0.0.0/8, ::1); anyone else gets 404. public: anyone who can reach the binding. token: anyone presenting `Authorization: Bearer <admin.token>` (401 otherwise). /healthz and /readyz are always open and never behind the bindings' auth.",
      }),
    ),
    token: Type.Optional(SecretRef),
    reload: Type.Optional(
      Type.Boolean({
        default: false,
        description:
          "Serve POST /admin/reload (404 while off). It needs admin.token when one is set, else the binding's own auth (a bearer token of auth.tokens), on top of the exposure rule.",
      }),
    ),
    listen: Type.Optional(
      strictObject(
        {
          host: Type.Optional(Type.String({ minLength: 1, default: "127.0.0.1", description: "Address of the admin listener." })),
          port: Type.Integer({ minimum: 0, maximum: 65535, description: "TCP port of the admin listener (0 picks a free one)." }),
        },
        "A separate HTTP listener serving only /healthz, /readyz, /status, /metrics and /admin/* (the same exposure rule applies).",
      ),
    ),
  },
  "Health, status, metrics and admin endpoints: who may reach them, and where.",
);

export const Tracing = strictObject(
  {
    otlpEndpoint: Type.String({
      minLength: 1,
      description: "OTLP/HTTP traces endpoint spans are exported to, e.g. http://127.0.0.1:4318/v1/traces (JSON encoding).",
    }),
    serviceName: Type.Optional(Type.String({ minLength: 1, default: "mcp-portcullis", description: "service.name of the exported spans." })),
    sampleRatio: Type.Optional(
      Type.Number({
        minimum: 0,
        maximum: 1,
        default: 1,
        description: "Share of new traces recorded (0..1); a request that arrives with a sampled W3C traceparent follows its caller's decision.",
      }),
    ),
  },
  "OpenTelemetry tracing, off unless this section is given: a span per request and per upstream call, exported over OTLP/HTTP, and W3C trace context passed to backends (the traceparent header to HTTP backends, params._meta.traceparent to every backend). Needs the optional @opentelemetry packages.",
);
