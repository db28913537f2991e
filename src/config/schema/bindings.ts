import { Type, type Static } from "@sinclair/typebox";
import { IdentityFields, SecretRef, strictObject, taggedUnion } from "./common.js";

const Modern = Type.Boolean({
  default: true,
  description:
    "Also serve 2026-07-28 clients (no session; told apart per request by their `_meta` envelope). false serves legacy clients only: rules that read session.* (toxic flows) see no session for a modern request.",
});

const BindingName = Type.String({
  pattern: "^[A-Za-z][A-Za-z0-9_-]{0,47}$",
  description: "Name of the binding, seen by policies as session.binding and written in audit lines. Defaults to stdio, or http:PORT.",
});

export const StdioBinding = strictObject(
  {
    transport: Type.Literal("stdio", { description: "Serve MCP on the proxy's own stdin/stdout; logs then go to stderr only." }),
    name: Type.Optional(BindingName),
    modern: Type.Optional(Modern),
    identity: Type.Optional(
      strictObject(
        IdentityFields,
        "Who the stdio client is: the process that started the proxy presents no token, so its identity comes from the config. Defaults to anonymous.",
      ),
    ),
  },
  "Serve one client over the proxy's stdin and stdout.",
);

export const HttpBinding = strictObject(
  {
    transport: Type.Literal("http", { description: "Serve Streamable HTTP (and optionally legacy SSE)." }),
    name: Type.Optional(BindingName),
    modern: Type.Optional(Modern),
    host: Type.Optional(
      Type.String({
        minLength: 1,
        default: "127.0.0.1",
        description: "Address to listen on. Loopback unless told otherwise; any other address (0.0.0.0, ::, a LAN address) needs an auth section in the config, auth: { type: \"none\" } being the explicit opt-out.",
      }),
    ),
    port: Type.Integer({ minimum: 0, maximum: 65535, description: "TCP port (0 picks a free one)." }),
    path: Type.Optional(Type.String({ pattern: "^/", default: "/mcp", description: "Path of the Streamable HTTP endpoint." })),
    legacySse: Type.Optional(
      Type.Boolean({ default: false, description: "Also serve the legacy HTTP+SSE transport at ssePath and messagePath." }),
    ),
    ssePath: Type.Optional(Type.String({ pattern: "^/", default: "/sse", description: "Path of the legacy SSE stream." })),
    messagePath: Type.Optional(Type.String({ pattern: "^/", default: "/message", description: "Path legacy SSE clients post messages to." })),
    allowedOrigins: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), {
        description: "Origin header values accepted from browsers. Requests with any other Origin are refused (403); requests without Origin are accepted.",
      }),
    ),
    allowedHosts: Type.Optional(
      Type.Array(Type.String({ minLength: 1, pattern: "^[^:/\\s]+$" }), {
        description:
          "Host names (without port) accepted in the Host header on a non-loopback binding, against DNS rebinding. Loopback names and IP literals are always accepted; any other name is refused (403) unless listed. On a loopback binding only loopback names pass.",
      }),
    ),
    publicUrl: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          "The URL clients reach this binding's MCP endpoint at (https://mcp.example.com/mcp) when it sits behind a load balancer: the resource in RFC 9728 metadata and the default JWT audience; its host name is accepted in Host like allowedHosts. Defaults to the URL the client used.",
      }),
    ),
    trustedProxies: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), {
        description:
          "Addresses or CIDR ranges (10.0.0.0/8) of proxies in front of this binding. Only from these peers are X-Forwarded-For (the client's address in audit lines) and X-Forwarded-Proto believed, and the per-address connection cap is not applied to them.",
      }),
    ),
    cors: Type.Optional(
      strictObject(
        {
          allowedOrigins: Type.Array(Type.String({ minLength: 1 }), {
            minItems: 1,
            description: "Browser origins (https://app.example.com) allowed to call this binding; their requests and preflights get CORS headers.",
          }),
        },
        "CORS for browser clients, off unless set: preflight (OPTIONS) on the MCP endpoint and /.well-known/*, exposing Mcp-Session-Id and WWW-Authenticate.",
      ),
    ),
    tls: Type.Optional(
      strictObject(
        {
          cert: SecretRef,
          key: SecretRef,
        },
        "Serve HTTPS directly (node:https), for deployments without a TLS-terminating proxy in front: `cert` is the PEM certificate chain, `key` the PEM private key, both secret references.",
      ),
    ),
  },
  "Serve MCP over HTTP on one address and port.",
);

export const Binding = taggedUnion("transport", [StdioBinding, HttpBinding], "One way the proxy serves clients: stdio or http.");
export type Binding = Static<typeof Binding>;
export type HttpBinding = Static<typeof HttpBinding>;

export const Bindings = Type.Array(Binding, {
  description: "What the proxy serves. Defaults to one HTTP binding on 127.0.0.1:8080/mcp.",
});
