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
    type: Type.Literal("jwt", { description: "Signed JSON Web Tokens (`Authorization: Bearer <jwt>`)." }),
    secret: Type.Optional(SecretRef),
    jwksUrl: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          "JWKS endpoint for asymmetric keys (RS*, PS*, ES*, EdDSA): https://, or http:// to a loopback host. Fetched on first use, cached, fetched again for an unknown `kid` (at most once per jwksCooldownMs) and when older than jwksMaxAgeMs.",
      }),
    ),
    issuer: Type.Optional(Type.String({ minLength: 1, description: "Required `iss`; also the default authorization server in the protected resource metadata." })),
    audience: Type.Optional(
      Type.String({ minLength: 1, description: "Required `aud`. Defaults to the binding's resource URL (its publicUrl, or the URL the client used), as the MCP authorization spec asks." }),
    ),
    algorithms: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), {
        minItems: 1,
        description: "Accepted `alg` values. Defaults to HS256/384/512 with secret, and RS*, PS*, ES*, EdDSA with jwksUrl; `none` is never accepted.",
      }),
    ),
    rolesClaim: Type.Optional(
      Type.String({ minLength: 1, default: "roles", description: "Claim holding the caller's roles (identity.roles): a list or a space-separated string; a dotted path reads a nested claim (realm_access.roles)." }),
    ),
    requiredScopes: Type.Optional(
      Type.Array(Type.String({ minLength: 1, pattern: "^[^\\s\"]+$" }), {
        description: "Scopes every request needs (from the `scope` claim, space-separated, or `scp`); a valid token without one of them gets HTTP 403 insufficient_scope.",
      }),
    ),
    clockSkewSec: Type.Optional(Type.Integer({ minimum: 0, maximum: 300, default: 30, description: "Seconds of clock difference tolerated for `exp`, `nbf` and `iat`." })),
    authorizationServers: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), { description: "Issuer URLs of the authorization servers clients get tokens from (RFC 9728 authorization_servers). Defaults to [issuer]." }),
    ),
    scopesSupported: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), { description: "Scopes listed in the protected resource metadata (scopes_supported). Defaults to requiredScopes." }),
    ),
    jwksCooldownMs: Type.Optional(
      Type.Integer({ minimum: 1000, default: 30_000, description: "Least time between two JWKS fetches for unknown key ids, so a stream of made-up `kid`s cannot hammer the JWKS endpoint." }),
    ),
    jwksMaxAgeMs: Type.Optional(Type.Integer({ minimum: 1000, default: 600_000, description: "How long fetched keys are used before the JWKS is fetched again." })),
  },
  "Callers present a JWT as a bearer token; give `secret` (HMAC) or `jwksUrl`. HTTP bindings serve RFC 9728 protected resource metadata and answer 401 with a `resource_metadata` challenge.",
);

export const Auth = taggedUnion("type", [NoAuth, BearerAuth, JwtAuth], "How callers authenticate: none (every caller is anonymous), bearer (static tokens, HTTP 401 without a known one) or jwt (signed tokens, HTTP 401/403 with an RFC 9728 challenge). Client credentials never reach a backend.");
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
