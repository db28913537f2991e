import { Type, type Static } from "@sinclair/typebox";
import { BackendAuth } from "./backend-auth.js";
import { Duration, Labels, NAME_PATTERN, StringOrSecret, strictObject, taggedUnion } from "./common.js";
import { backendCapacityFields } from "./capacity.js";

const commonBackendFields = {
  labels: Type.Optional(Labels),
  enabled: Type.Optional(Type.Boolean({ default: true, description: "A disabled backend is neither started nor listed." })),
  required: Type.Optional(
    Type.Boolean({
      default: false,
      description:
        "The gateway is not ready (GET /readyz answers 503) until this backend has started once since the config loaded, nor while it is down. The gateway starts one upstream session at start-up to find out, and closes it once it is up.",
    }),
  ),
  namespace: Type.Optional(
    Type.String({
      pattern: "^[A-Za-z0-9_-]{1,32}$",
      description: "Prefix put before this backend's tool and prompt names (defaults to the backend's name).",
    }),
  ),
  session: Type.Optional(
    Type.Union([Type.Literal("per-client"), Type.Literal("shared")], {
      default: "per-client",
      description:
        "per-client: one upstream session per client session (isolation; the default), started on the client's first use of the backend; until then it is listed from a catalog session shared by clients with the same capabilities. shared: one upstream connection multiplexed for every client, for stateless servers.",
    }),
  ),
  era: Type.Optional(
    Type.Union([Type.Literal("legacy"), Type.Literal("auto"), Type.Literal("modern")], {
      default: "legacy",
      description:
        "Protocol era spoken with the backend (versionNegotiation says the same under the SDK's name): legacy (initialize, the default), modern (2026-07-28, pinned) or auto (probe with server/discover once per process, fall back to legacy). A modern backend's input_required results are answered by asking the client and retried by the proxy.",
    }),
  ),
  versionNegotiation: Type.Optional(
    Type.Union(
      [
        Type.Literal("legacy"),
        Type.Literal("auto"),
        strictObject({ pin: Type.Literal("2026-07-28", { description: "The protocol version spoken with the backend." }) }, "Speak this version only; a backend that does not offer it fails to start."),
      ],
      {
        "x-expected": '"legacy", "auto" or { pin: "2026-07-28" }',
        description:
          'The era setting under the name the SDK and the MCP issue use: "legacy" is era legacy, "auto" is era auto, { pin: "2026-07-28" } is era modern. Set this or era; both are accepted only when they agree.',
      },
    ),
  ),
  maxSessions: Type.Optional(
    Type.Integer({ minimum: 1, default: 64, description: "Most upstream sessions open at once for this backend (per-client mode): the sessions clients use, each started on a client's first use of the backend. The catalogs that list the backend until then are not counted (at most 4, one per distinct set of client capabilities)." }),
  ),
  maxSessionsPerIdentity: Type.Optional(
    Type.Integer({
      minimum: 1,
      description:
        "Most upstream sessions of this backend one caller (identity) may hold at once, across its client sessions (per-client mode), so one caller cannot take all of maxSessions; a call past it is refused with -32025 (IDENTITY_SESSION_LIMIT) until one of the caller's sessions closes. Unset: no per-caller cap.",
    }),
  ),
  timeouts: Type.Optional(
    strictObject(
      {
        startupMs: Type.Optional(Duration("How long connecting and initializing may take before the backend counts as failed.", 30_000)),
        callMs: Type.Optional(Duration("How long one request may wait for its answer.", 60_000)),
        idleMs: Type.Optional(
          Duration(
            "An upstream session unused this long is closed and reopened on the next call (per-client mode); the backend's session state is lost then. 0 (the default) keeps it open for the client session's life.",
            0,
          ),
        ),
      },
      "Time limits for this backend, in milliseconds.",
    ),
  ),
  maxMessageBytes: Type.Optional(
    Type.Integer({
      minimum: 1024,
      maximum: 256 * 1024 * 1024,
      default: 16 * 1024 * 1024,
      description:
        "Largest single message read from this backend, in bytes: one line of a stdio backend's stdout (counted in characters), one JSON answer of an http backend (server-sent event streams, and so sse backends, are not bounded). A larger message fails the request it answered with -32015 naming the backend and the size; the backend keeps running (a stdio line is skipped up to its newline).",
    }),
  ),
  ...backendCapacityFields,
  include: Type.Optional(
    Type.Array(Type.String({ minLength: 1 }), {
      description: "Original item names (or URIs) to expose; `*` is a wildcard. When given, everything else is hidden.",
    }),
  ),
  exclude: Type.Optional(
    Type.Array(Type.String({ minLength: 1 }), { description: "Original item names (or URIs) to hide; `*` is a wildcard. Applied after include." }),
  ),
};

export const StdioBackend = strictObject(
  {
    transport: Type.Literal("stdio", { description: "Start the server as a child process and talk over its stdin/stdout." }),
    command: Type.String({ minLength: 1, description: "Program to run (no shell). A path with a slash is relative to the config file's folder; a bare name is looked up in node_modules/.bin of the config file's folder and each folder above it, then on PATH." }),
    args: Type.Optional(Type.Array(Type.String(), { description: "Arguments passed to the program as they are." })),
    env: Type.Optional(
      Type.Record(Type.String({ pattern: "^[A-Za-z_][A-Za-z0-9_]*$" }), StringOrSecret, {
        additionalProperties: false,
        description: "Environment variables set for the child; values may be secret references.",
      }),
    ),
    inheritEnv: Type.Optional(
      Type.Array(Type.String({ pattern: "^[A-Za-z_][A-Za-z0-9_]*$" }), {
        description: "Names of the proxy's own environment variables passed to the child (an allowlist; PATH, HOME, LANG and TMPDIR-like basics are always passed).",
      }),
    ),
    cwd: Type.Optional(Type.String({ minLength: 1, description: "Working directory of the child, relative to the config file's folder (defaults to that folder)." })),
    ...commonBackendFields,
  },
  "A backend MCP server started as a child process and spoken to over stdio.",
);

const remoteFields = {
  url: Type.String({ minLength: 1, description: "The server's endpoint, http:// or https://." }),
  headers: Type.Optional(
    Type.Record(Type.String({ pattern: "^[A-Za-z0-9!#$%&'*+.^_`|~-]+$" }), StringOrSecret, {
      additionalProperties: false,
      description: "Headers sent on every request to this backend (its own credentials, never the client's); values may be secret references.",
    }),
  ),
  auth: Type.Optional(BackendAuth),
};

export const HttpBackend = strictObject(
  {
    transport: Type.Literal("http", { description: "Streamable HTTP." }),
    ...remoteFields,
    ...commonBackendFields,
  },
  "A backend MCP server reached over Streamable HTTP.",
);

export const SseBackend = strictObject(
  {
    transport: Type.Literal("sse", { description: "Legacy HTTP+SSE transport (protocol 2024-11-05)." }),
    ...remoteFields,
    ...commonBackendFields,
  },
  "A backend MCP server reached over the legacy HTTP+SSE transport.",
);

export const Backend = taggedUnion("transport", [StdioBackend, HttpBackend, SseBackend], "One backend MCP server: stdio, http (Streamable HTTP) or sse (legacy).");
export type Backend = Static<typeof Backend>;
export type StdioBackend = Static<typeof StdioBackend>;
export type HttpBackend = Static<typeof HttpBackend>;
export type SseBackend = Static<typeof SseBackend>;

export const Backends = Type.Record(Type.String({ pattern: NAME_PATTERN }), Backend, {
  additionalProperties: false,
  minProperties: 1,
  description: "The MCP servers this proxy fronts, by name. A name starts with a letter; letters, digits, _ and - follow (48 at most).",
});
