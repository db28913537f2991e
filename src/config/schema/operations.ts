import { Type, type Static } from "@sinclair/typebox";
import { ConcurrencyCap } from "./capacity.js";
import { Duration, Match, NAME_PATTERN, StringOrSecret, strictObject, taggedUnion } from "./common.js";

export const RateLimit = strictObject(
  {
    name: Type.String({ pattern: NAME_PATTERN, description: "Limit name, shown in denials and audit lines." }),
    match: Type.Optional(Match),
    per: Type.Optional(
      Type.Union([Type.Literal("identity"), Type.Literal("session"), Type.Literal("global")], {
        default: "identity",
        description:
          "Whose requests are counted together: identity (one caller, across its sessions and re-initializations; with auth none every caller is the same one), session (one client session), global (everyone).",
      }),
    ),
    requests: Type.Integer({ minimum: 1, description: "Requests allowed per window." }),
    windowMs: Type.Integer({
      minimum: 1000,
      maximum: 604_800_000,
      multipleOf: 1000,
      description:
        "Window length in milliseconds, in whole seconds from a second (1000) to a week (604800000); 86400000 (a day) makes a daily quota. The window is fixed: it starts with the first counted request of a key and the count starts over when it ends.",
    }),
  },
  "At most `requests` matching requests per `windowMs` for each `per` key. Without `match.methods`, the calls count: tools/call, prompts/get and resources/read.",
);

const MemoryStore = strictObject({ type: Type.Literal("memory", { description: "In this process only." }) }, "Counters kept in memory.");
const RedisStore = strictObject(
  {
    type: Type.Literal("redis", { description: "Shared by every replica." }),
    url: StringOrSecret,
  },
  "Counters kept in Redis, shared by replicas.",
);

export const Limits = strictObject(
  {
    maxBodyBytes: Type.Optional(Type.Integer({ minimum: 1024, default: 4_194_304, description: "Largest request body accepted; larger ones get 413 before parsing." })),
    maxClientSessions: Type.Optional(Type.Integer({ minimum: 1, default: 1000, description: "Most client sessions open at once per binding." })),
    clientSessionIdleMs: Type.Optional(
      Duration(
        "A client session with no request, no call under way and no open stream for this long is closed (checked every quarter of it), with its backend sessions; 0 never closes one. Clients that leave without ending their session (no DELETE: the SDK's close(), MCP Inspector's CLI, a crashed agent) hold nothing longer than this; a client that comes back later gets 404 and starts a new session, as the protocol says. SDK clients keep a stream open while connected, so only clients that neither stream nor call for this long are affected.",
        15_000,
      ),
    ),
    streamSessionIdleMs: Type.Optional(
      Duration(
        "A client session that holds a stream open (a Streamable HTTP GET stream, a legacy SSE stream) but sends no request and has no call under way for this long is closed too; 0 never closes one. Longer than clientSessionIdleMs because such a client is still connected; it bounds what a client that only holds streams open can keep.",
        1_800_000,
      ),
    ),
    initializeWaitMs: Type.Optional(
      Duration(
        "How long a client's initialize waits for backends that are still starting. It is answered once every backend has listed or this time has passed; a backend that comes up later joins the client's lists with list_changed.",
        5_000,
      ),
    ),
    maxBatchSize: Type.Optional(
      Type.Integer({ minimum: 1, default: 100, description: "Most JSON-RPC messages in one batch; a larger batch is refused whole (400, BATCH_TOO_LARGE) before any of it runs." }),
    ),
    maxResponseBytes: Type.Optional(
      Type.Integer({
        minimum: 1024,
        default: 33_554_432,
        description:
          "Most bytes of answers one request or batch may produce. An answer that would pass it is replaced by an error (-32016, RESPONSE_TOO_LARGE) for that request; the answers before it are kept.",
      }),
    ),
    maxStreamBufferBytes: Type.Optional(
      Type.Integer({
        minimum: 65_536,
        default: 8_388_608,
        description:
          "Most bytes waiting to be sent to one client on one stream (an SSE stream or a JSON answer) because the client reads slower than the gateway writes. A stream past it is cut off and logged, and its memory released.",
      }),
    ),
    uninitializedSessionMs: Type.Optional(
      Duration(
        "How long a client session may stay without completing its handshake (sending notifications/initialized, or any message besides initialize), counted after limits.initializeWaitMs; it is closed then. A bare legacy SSE stream that never posts initialize is closed the same way.",
        5_000,
      ),
    ),
    maxUninitializedSessions: Type.Optional(
      Type.Integer({ minimum: 1, default: 32, description: "Most client sessions per binding that have not completed their handshake; more get 503 (TOO_MANY_UNINITIALIZED_SESSIONS)." }),
    ),
    maxConnections: Type.Optional(
      Type.Integer({ minimum: 1, default: 2048, description: "Most TCP connections open at once per HTTP binding; more are answered 503 (TOO_MANY_CONNECTIONS) and closed." }),
    ),
    maxConnectionsPerAddress: Type.Optional(
      Type.Integer({
        minimum: 1,
        default: 256,
        description: "Most TCP connections open at once from one remote address, on a non-loopback HTTP binding only (on loopback every client has the same address); more are answered 503 and closed.",
      }),
    ),
    concurrency: Type.Optional(Type.Array(ConcurrencyCap, { description: "Concurrency caps on items (tools, resources, prompts), chosen by match." })),
    maxSessionsPerIdentity: Type.Optional(
      Type.Integer({
        minimum: 1,
        description:
          "Most client sessions one caller (identity) may hold at once, across all bindings; more are refused (HTTP 429, -32025 IDENTITY_SESSION_LIMIT) so one caller cannot take every session from the others. With auth none every caller is the same one. Unset: no per-caller cap (maxClientSessions still applies).",
      }),
    ),
    shutdownGraceMs: Type.Optional(
      Duration(
        "On SIGTERM or SIGINT: how long requests under way may take to finish after readiness fails and new sessions are refused; then backends close, the audit log is flushed and the process exits 0.",
        10_000,
      ),
    ),
    rateLimits: Type.Optional(
      Type.Array(RateLimit, {
        description: "Rate limits and quotas, checked after authorization; a refused request gets -32013 (RATE_LIMITED) with data.limit and data.retryAfterMs. Every limit that matches a request counts it.",
      }),
    ),
    store: Type.Optional(
      taggedUnion(
        "type",
        [MemoryStore, RedisStore],
        "Where rate-limit counters live (default memory). With redis, replicas sharing it enforce each limit together, and a used 2026-07-28 requestState is refused by every one of them; while Redis is unreachable each process falls back to its own memory (and logs so).",
      ),
    ),
  },
  "Resource limits.",
);
export type Limits = Static<typeof Limits>;

export const Audit = strictObject(
  {
    enabled: Type.Optional(Type.Boolean({ default: true, description: "Write one audit line per request." })),
    sink: Type.Optional(
      Type.Union([Type.Literal("stderr"), Type.Literal("stdout"), Type.Literal("file")], {
        default: "stderr",
        description: "Where audit lines go. stdout is refused next to a stdio binding.",
      }),
    ),
    file: Type.Optional(Type.String({ minLength: 1, description: "Audit file when sink is file; relative to the config file's folder." })),
    includeArguments: Type.Optional(
      Type.Boolean({ default: false, description: "Record call arguments (after redaction by the filters that match the request). Off by default: arguments may hold personal data; a SHA-256 digest is recorded instead." }),
    ),
    chain: Type.Optional(
      Type.Boolean({
        default: false,
        description: "Make the audit file tamper-evident: each line carries a hash over the previous line's hash and its own content. `mcp-proxy audit verify FILE` checks it. File sink only.",
      }),
    ),
    onFailure: Type.Optional(
      Type.Union([Type.Literal("log"), Type.Literal("refuse")], {
        default: "log",
        description: "While the sink cannot write: log (requests go on, unrecorded lines are counted) or refuse (requests fail closed with -32018).",
      }),
    ),
    rotate: Type.Optional(
      strictObject(
        {
          maxBytes: Type.Integer({ minimum: 4096, description: "Rotate the file once it passes this size." }),
          keep: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 5, description: "Rotated files kept (FILE.1 … FILE.keep)." })),
        },
        "Size-based rotation of the audit file; a chain continues into the new file.",
      ),
    ),
  },
  "The audit trail: one JSON line per request that reached the pipeline (allowed, denied or failed) and per refused authentication, each marked \"audit\": true.",
);

export const Reload = strictObject(
  {
    enabled: Type.Optional(Type.Boolean({ default: true, description: "Watch the config, the files it imports and its secret files; apply changes without dropping clients. SIGHUP reloads whether or not this is on." })),
    debounceMs: Type.Optional(Duration("Wait this long after the last change before reloading.", 200)),
    drainMs: Type.Optional(
      Duration(
        "How long a backend link or a listener that a reload replaced or removed keeps serving what it had under way (calls in flight, sessions of a moved listener) before it is closed.",
        30_000,
      ),
    ),
  },
  "Hot reload: load, validate, resolve, compile, reconcile, swap. A config that fails at any step changes nothing (the last good one keeps serving, each error is logged with its path). Backends are reconciled by name: unchanged ones keep their processes and sessions, changed ones start anew while the old links drain, removed ones drain and close. Requests under way finish on the pipeline they started with; clients whose lists changed get list_changed.",
);

export const Logging = strictObject(
  {
    level: Type.Optional(
      Type.Union(
        [Type.Literal("fatal"), Type.Literal("error"), Type.Literal("warn"), Type.Literal("info"), Type.Literal("debug"), Type.Literal("trace"), Type.Literal("silent")],
        { default: "info", description: "Least severe level written to stderr." },
      ),
    ),
  },
  "Operational logs (JSON lines on stderr).",
);
