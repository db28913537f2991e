import { Type, type Static } from "@sinclair/typebox";
import { Duration, Match, NAME_PATTERN, StringOrSecret, strictObject, taggedUnion } from "./common.js";

export const RateLimit = strictObject(
  {
    name: Type.String({ pattern: NAME_PATTERN, description: "Limit name, shown in denials and audit lines." }),
    match: Type.Optional(Match),
    per: Type.Union([Type.Literal("identity"), Type.Literal("session"), Type.Literal("global")], {
      description: "Whose requests are counted together.",
    }),
    requests: Type.Integer({ minimum: 1, description: "Requests allowed per window." }),
    windowMs: Type.Integer({ minimum: 1, description: "Window length in milliseconds." }),
  },
  "At most `requests` matching requests per `windowMs` for each `per` key.",
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
    initializeWaitMs: Type.Optional(
      Duration(
        "How long a client's initialize waits for backends that are still starting. It is answered once every backend has listed or this time has passed; a backend that comes up later joins the client's lists with list_changed.",
        5_000,
      ),
    ),
    rateLimits: Type.Optional(Type.Array(RateLimit, { description: "Rate limits. Not enforced in this version: `start` refuses a config that sets them." })),
    store: Type.Optional(taggedUnion("type", [MemoryStore, RedisStore], "Where rate-limit counters live. Not enforced in this version: `start` refuses a Redis store.")),
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
      Type.Boolean({ default: false, description: "Record call arguments (after redaction). Off by default: arguments may hold personal data." }),
    ),
  },
  "The audit trail: one JSON line per request, allowed or denied. Not enforced in this version: `start` refuses a file sink or includeArguments.",
);

export const Reload = strictObject(
  {
    enabled: Type.Optional(Type.Boolean({ default: true, description: "Watch the config and the files it imports; apply changes without dropping clients." })),
    debounceMs: Type.Optional(Duration("Wait this long after the last change before reloading.", 200)),
  },
  "Hot reload. Not in this version: accepted and ignored; config changes take effect on restart.",
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
