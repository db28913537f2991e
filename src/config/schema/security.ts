import { Type, type Static } from "@sinclair/typebox";
import { IdentityFields, Match, NAME_PATTERN, SecretRef, strictObject, taggedUnion } from "./common.js";

const NoAuth = strictObject({ type: Type.Literal("none", { description: "Every caller is anonymous." }) }, "No authentication.");

const BearerToken = strictObject(
  {
    token: SecretRef,
    ...IdentityFields,
  },
  "One accepted bearer token and the identity it stands for.",
);

const BearerAuth = strictObject(
  {
    type: Type.Literal("bearer", { description: "Static bearer tokens, each mapped to an identity." }),
    tokens: Type.Array(BearerToken, { minItems: 1, description: "Accepted tokens." }),
  },
  "Callers present `Authorization: Bearer <token>`.",
);

const JwtAuth = strictObject(
  {
    type: Type.Literal("jwt", { description: "Signed JSON Web Tokens." }),
    secret: Type.Optional(SecretRef),
    jwksUrl: Type.Optional(Type.String({ minLength: 1, description: "JWKS endpoint for asymmetric keys (https://)." })),
    issuer: Type.Optional(Type.String({ description: "Required `iss`." })),
    audience: Type.Optional(Type.String({ description: "Required `aud`." })),
    algorithms: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: "Accepted `alg` values." })),
    rolesClaim: Type.Optional(Type.String({ default: "roles", description: "Claim that holds the caller's roles." })),
  },
  "Callers present a JWT as a bearer token; give `secret` (HMAC) or `jwksUrl`.",
);

export const Auth = taggedUnion("type", [NoAuth, BearerAuth, JwtAuth], "How callers authenticate: none (every caller is anonymous), bearer (static tokens, HTTP 401 without a known one) or jwt. Client credentials never reach a backend. Not enforced in this version: `start` refuses jwt.");
export type Auth = Static<typeof Auth>;

/** JSON-Logic is open-ended JSON; its operators are checked beyond the schema, at validation. */
export const JsonLogicRule = Type.Unsafe<Record<string, unknown> | boolean>({
  description: "A JSON-Logic rule (json-logic-js semantics) over { identity, request, target, backend, session, time }; see docs/policies.md.",
  type: ["object", "boolean"],
});

export const PolicyRule = strictObject(
  {
    name: Type.String({ pattern: NAME_PATTERN, description: "Rule name, shown in audit lines and denials." }),
    description: Type.Optional(Type.String({ description: "Why the rule exists." })),
    effect: Type.Union([Type.Literal("allow"), Type.Literal("deny")], { description: "What a matching rule decides." }),
    actions: Type.Optional(
      Type.Array(Type.Union([Type.Literal("list"), Type.Literal("call")]), {
        description: "list (seeing the item) and/or call (using it). Defaults to both, so lists and calls agree.",
      }),
    ),
    match: Type.Optional(Match),
    when: Type.Optional(JsonLogicRule),
    mode: Type.Optional(
      Type.Union([Type.Literal("enforce"), Type.Literal("shadow")], {
        default: "enforce",
        description:
          "enforce (the default) decides; shadow is evaluated on every call but decides nothing: when enforcing it would change the decision, the audit line records `shadow: { rule, effect }`. Listing ignores shadow rules.",
      }),
    ),
  },
  "A rule applies when `match` holds and `when` is truthy.",
);
export type PolicyRule = Static<typeof PolicyRule>;

export const Policies = strictObject(
  {
    default: Type.Optional(
      Type.Union([Type.Literal("deny"), Type.Literal("allow")], {
        default: "deny",
        description: "Decision when no rule applies. Deny unless allowed.",
      }),
    ),
    shadowDefault: Type.Optional(
      Type.Union([Type.Literal("deny"), Type.Literal("allow")], {
        description:
          "A default to try out before enforcing it: when `default` decides a call and no rule (shadow ones included) applies, a differing shadowDefault is recorded in the audit line as `shadow: { rule: \"default\", effect }`.",
      }),
    ),
    rules: Type.Array(PolicyRule, { description: "Rules; any applying deny wins over any applying allow." }),
  },
  "Who may list and call what. Listing follows calling: an item is listed when a call of it could be allowed for some arguments.",
);
export type Policies = Static<typeof Policies>;

export const Redaction = strictObject(
  {
    pattern: Type.String({
      minLength: 1,
      description: "Regular expression matched in every text a client receives. Runs in RE2 (linear time, so no result can hang the proxy): no backreferences, no lookaround.",
    }),
    flags: Type.Optional(Type.String({ pattern: "^[imsu]*$", description: "Regular expression flags besides g (always on)." })),
    replacement: Type.Optional(Type.String({ default: "[REDACTED]", description: "Text put in place of each match." })),
  },
  "Replace every match of a pattern in what comes back.",
);

export const Filter = strictObject(
  {
    name: Type.String({ pattern: NAME_PATTERN, description: "Filter name, shown in audit lines." }),
    match: Type.Optional(Match),
    redact: Type.Optional(Type.Array(Redaction, { description: "Redactions applied to text in results." })),
    stripFields: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), { description: "Dot paths removed from results, e.g. `_meta.internal`." }),
    ),
    maxResultBytes: Type.Optional(Type.Integer({ minimum: 1, description: "Results larger than this (bytes of JSON as the backend sent them) are refused with -32017 naming the filter." })),
  },
  "Rules for what may come back to clients.",
);
export type Filter = Static<typeof Filter>;
export const Filters = Type.Array(Filter, { description: "Response filters, applied in order to tool results, resource contents and prompt messages." });
