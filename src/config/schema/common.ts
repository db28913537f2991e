import { Type, type Static, type TSchema } from "@sinclair/typebox";

/**
 * Schema building blocks shared by several config sections.
 *
 * Every property carries a `description` because editors show it on hover
 * when a JSON or YAML config points its `$schema` at `schema/`.
 */

/** `additionalProperties: false` everywhere: a misspelled key is an error, never silently ignored. */
export function strictObject<P extends Record<string, TSchema>>(properties: P, description: string) {
  return Type.Object(properties, { additionalProperties: false, description });
}

/** A one-of union chosen by a `transport` or `type` tag, so validation reports errors of the chosen branch only. */
export function taggedUnion<T extends TSchema[]>(tag: string, branches: [...T], description: string) {
  const union = Type.Union(branches);
  return Type.Unsafe<Static<typeof union>>({
    description,
    type: "object",
    oneOf: branches,
    discriminator: { propertyName: tag },
  });
}

export const NAME_PATTERN = "^[A-Za-z][A-Za-z0-9_-]{0,47}$";

export const EnvSecretRef = strictObject(
  { env: Type.String({ minLength: 1, pattern: "^[A-Za-z_][A-Za-z0-9_]*$", description: "Name of the environment variable holding the secret." }) },
  "A secret read from an environment variable when the config loads.",
);
export const FileSecretRef = strictObject(
  { file: Type.String({ minLength: 1, description: "Path of a file holding the secret (trailing newline trimmed); relative to the config file's folder." }) },
  "A secret read from a file when the config loads.",
);

/** Secrets are references, never literals, so a config can be committed to git as it is. */
export const SecretRef = Type.Unsafe<Static<typeof EnvSecretRef> | Static<typeof FileSecretRef>>({
  description: "A secret reference: { env: NAME } or { file: path }. Resolved at load, never printed.",
  "x-expected": "a secret reference { env: NAME } or { file: path }",
  anyOf: [EnvSecretRef, FileSecretRef],
});
export type SecretRef = Static<typeof SecretRef>;

/** A value that may be written literally or, when it is sensitive, as a secret reference. */
export const StringOrSecret = Type.Unsafe<string | SecretRef>({
  description: "A literal string, or a secret reference { env: NAME } / { file: path } for sensitive values.",
  "x-expected": "a string or a secret reference { env: NAME } / { file: path }",
  anyOf: [Type.String(), EnvSecretRef, FileSecretRef],
});

/** Labels for toxic-flow rules: what kind of data or effect a backend or item carries. */
export const Labels = Type.Array(Type.String({ pattern: "^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$" }), {
  description:
    "Labels such as untrusted-input, private-data or egress. Policies see them as target.labels and backend.labels, and session.labelsSeen collects the labels of everything a client session has called or read.",
});

/** Who a caller is, as policies and the audit see it (identity.sub, identity.roles, identity.claims). */
export const IdentityFields = {
  subject: Type.String({ minLength: 1, description: "Identity of the caller (identity.sub in policies and audit)." }),
  roles: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: "Roles (identity.roles in policies)." })),
  claims: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: "Extra claims (identity.claims in policies)." })),
};

export const ItemKind = Type.Union(
  [Type.Literal("tool"), Type.Literal("prompt"), Type.Literal("resource"), Type.Literal("resourceTemplate")],
  { description: "Kind of MCP item: tool, prompt, resource or resourceTemplate." },
);
export type ItemKind = Static<typeof ItemKind>;

/** Which requests a policy, filter or rate limit applies to; every listed criterion must hold. */
export const Match = strictObject(
  {
    backends: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: "Backend names; the rule applies to items of these backends only." })),
    kinds: Type.Optional(Type.Array(ItemKind, { description: "Item kinds the rule applies to." })),
    names: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), {
        description: "Exposed item names or URIs; `*` matches any run of characters, so `crm__*` matches every tool of the crm namespace.",
      }),
    ),
    methods: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: "MCP methods, e.g. tools/call or resources/read." })),
  },
  "Which requests the rule applies to. Every criterion given must hold; an omitted criterion matches everything.",
);
export type Match = Static<typeof Match>;

export const Duration = (description: string, defaultValue?: number) =>
  Type.Integer({ minimum: 0, description, ...(defaultValue === undefined ? {} : { default: defaultValue }) });
