import { Type, type Static } from "@sinclair/typebox";
import { SecretRef, strictObject, taggedUnion } from "./common.js";

const tokenUrl = Type.String({
  minLength: 1,
  description: "The authorization server's token endpoint: https://, or http:// on a loopback address only (a client secret never crosses a network in clear text).",
});
const clientId = Type.String({ minLength: 1, description: "The proxy's client id at the authorization server." });
const clientSecret = Type.Unsafe<SecretRef>({
  ...SecretRef,
  description: "The proxy's client secret, as a secret reference; sent with HTTP Basic authentication (client_secret_basic).",
});
const scope = Type.Optional(Type.String({ minLength: 1, description: "Space-separated scopes to ask for." }));
const timeoutMs = Type.Optional(
  Type.Integer({ minimum: 100, maximum: 120_000, default: 10_000, description: "How long one token request may take; past it the backend's request fails with -32014 naming the backend." }),
);

export const ClientCredentialsAuth = strictObject(
  {
    type: Type.Literal("clientCredentials", { description: "OAuth 2.0 client credentials grant: one token for the proxy itself, shared by every caller." }),
    tokenUrl,
    clientId,
    clientSecret,
    scope,
    audience: Type.Optional(Type.String({ minLength: 1, description: "Sent as `audience` (some servers, e.g. Auth0, want it)." })),
    resource: Type.Optional(Type.String({ minLength: 1, description: "Sent as `resource` (RFC 8707), naming the backend the token is for." })),
    timeoutMs,
  },
  "The proxy's own token from a token endpoint (client_credentials), cached and renewed before it expires; concurrent requests share one token request.",
);

export const TokenExchangeAuth = strictObject(
  {
    type: Type.Literal("tokenExchange", { description: "RFC 8693 token exchange: the caller's token is exchanged for one whose audience is this backend." }),
    tokenUrl,
    clientId,
    clientSecret,
    audience: Type.String({ minLength: 1, description: "The backend's audience, sent as `audience`; the exchanged token is meant for it alone." }),
    resource: Type.Optional(Type.String({ minLength: 1, description: "Sent as `resource` (RFC 8707) as well." })),
    scope,
    timeoutMs,
  },
  "Each caller's own token for this backend: the caller's presented token (the subject_token) is exchanged at the token endpoint and the result cached per caller until it expires. Needs session: per-client (each client session then has its own upstream session and token); a caller without a token (a stdio binding) is refused.",
);

export const OAuthLoginAuth = strictObject(
  {
    type: Type.Literal("oauth", {
      description: "The backend is an MCP server that requires OAuth itself: run `mcp-proxy login BACKEND` once; the tokens are kept encrypted in the state folder and refreshed when they expire.",
    }),
    scope,
    timeoutMs,
  },
  "Tokens obtained by `mcp-proxy login BACKEND` (MCP authorization: protected resource metadata, authorization server metadata, dynamic client registration, authorization code with PKCE).",
);

export const BackendAuth = taggedUnion(
  "type",
  [ClientCredentialsAuth, TokenExchangeAuth, OAuthLoginAuth],
  "How the proxy obtains its own credential for this backend (sent as Authorization: Bearer). A caller's token is never forwarded as it is. Exclusive with an Authorization entry in headers.",
);
export type BackendAuth = Static<typeof BackendAuth>;

export const State = strictObject(
  {
    dir: Type.Optional(
      Type.String({ minLength: 1, default: ".mcp-proxy", description: "Folder for state the proxy keeps between runs (login tokens), relative to the config file's folder. Created 0700." }),
    ),
    key: Type.Optional(
      Type.Unsafe<SecretRef>({
        ...SecretRef,
        description:
          "Key that encrypts the stored tokens (AES-256-GCM): 32 bytes as 64 hex characters or base64. Without it a random key is created once in the state folder as `key` (0600).",
      }),
    ),
  },
  "Where the proxy keeps state between runs.",
);
export type State = Static<typeof State>;
