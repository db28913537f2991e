import { Type, type Static } from "@sinclair/typebox";
import { Duration, Match, NAME_PATTERN, strictObject } from "./common.js";

/** Per-backend protection: a concurrency cap with a bounded wait, and a circuit breaker. */
export const backendCapacityFields = {
  maxConcurrent: Type.Optional(
    Type.Integer({
      minimum: 1,
      description:
        "Most requests in flight to this backend at once, from all clients together. Further requests wait in line for at most maxQueueMs, then fail with -32023 (CONCURRENCY_LIMIT) naming the backend. Unset: no cap.",
    }),
  ),
  maxQueueMs: Type.Optional(Duration("How long a request may wait for a free place under maxConcurrent; 0 refuses at once when all places are taken.", 1000)),
  circuitBreaker: Type.Optional(
    strictObject(
      {
        failures: Type.Optional(Type.Integer({ minimum: 1, default: 5, description: "Consecutive failed requests that open the circuit." })),
        cooldownMs: Type.Optional(Duration("How long an open circuit fails calls at once before one trial call may go through.", 30_000)),
      },
      "Circuit breaking for this backend. A failure is the backend being unavailable (down, restarting, unreachable, a transport error, an HTTP 5xx), not answering in time, or answering with something that is not JSON-RPC; any answer, JSON-RPC errors and isError tool results included, is a success. After `failures` failures in a row, requests fail at once with -32024 (CIRCUIT_OPEN, data.retryAfterMs) for cooldownMs; then exactly one trial request goes through: its success closes the circuit, its failure opens it again. Off unless set.",
    ),
  ),
};

export const ConcurrencyCap = strictObject(
  {
    name: Type.String({ pattern: NAME_PATTERN, description: "Cap name, shown in refusals." }),
    match: Type.Optional(Match),
    maxConcurrent: Type.Integer({ minimum: 1, description: "Most matching requests in flight at once, from all clients together." }),
    maxQueueMs: Type.Optional(Duration("How long a request may wait for a free place; 0 refuses at once.", 1000)),
  },
  "A concurrency cap on the requests that name an item (tools/call, resources/read, prompts/get…), counted across all clients: more wait in line for at most maxQueueMs, then fail with -32023 (CONCURRENCY_LIMIT). A request counts against the first cap that matches it. A request answered from the cache takes no place.",
);
export type ConcurrencyCap = Static<typeof ConcurrencyCap>;

export const CacheRule = strictObject(
  {
    name: Type.String({ pattern: NAME_PATTERN, description: "Rule name." }),
    match: Type.Optional(Match),
    ttlMs: Type.Integer({ minimum: 1, description: "How long an answer is kept, in milliseconds. A backend's own shorter `ttlMs` on a result wins." }),
    scope: Type.Optional(
      Type.Union([Type.Literal("identity"), Type.Literal("shared")], {
        default: "identity",
        description:
          'identity: an answer is reused for the same caller (identity.iss and identity.sub) only; with auth type none every HTTP caller is the same identity (anonymous). shared: one answer for every caller; a result the backend marks private (`cacheScope: "private"`, at the top or in `_meta`) is then not cached at all.',
      }),
    ),
  },
  "Which results are cached and for how long. Only tools/call and resources/read answers are cached; the first rule that matches a request decides.",
);
export type CacheRule = Static<typeof CacheRule>;

export const Cache = strictObject(
  {
    maxBytes: Type.Optional(
      Type.Integer({ minimum: 1024, default: 67_108_864, description: "Memory budget of the cache: the JSON length of every answer kept, together. The least recently used answers go first." }),
    ),
    rules: Type.Array(CacheRule, { description: "The cache rules; a request no rule matches is never cached." }),
  },
  "Result caching, off unless a rule matches. A cached answer still passes authorization, limits, filters and the audit (its line says cache: \"hit\"). Errors, isError tool results, partial answers (input required), tasks and calls that asked for progress are never cached. A backend's tools list_changed drops its cached tool results, resources list_changed its cached reads, resources/updated the reads of that URI.",
);
export type Cache = Static<typeof Cache>;
