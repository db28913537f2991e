import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import Provider from "oidc-provider";

export const TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
const ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";

/** One RFC 8693 exchange as the authorization server saw and answered it. */
export interface Exchange {
  readonly clientId: string;
  readonly subjectToken: string;
  readonly audience: string | undefined;
  /** The issued token and what it stands for: the caller as `sub`, the proxy as `act`. */
  readonly issued: { readonly token: string; readonly sub: string; readonly act: { readonly sub: string }; readonly aud: string | undefined };
}

export interface OAuthServer {
  readonly issuer: string;
  readonly tokenUrl: string;
  /** Successful token requests per client id. */
  readonly grants: Map<string, number>;
  readonly exchanges: Exchange[];
  close(): Promise<void>;
}

/**
 * A real OAuth authorization server on loopback: oidc-provider with the client credentials
 * grant (opaque access tokens living `ttlSeconds`) and an RFC 8693 token exchange grant
 * registered with `registerGrantType`. The exchange accepts only the subject tokens it is
 * given (a caller's token → its subject) and names the caller as `sub`, the proxy as `act`.
 */
export async function startOAuthServer(options: {
  clients: ReadonlyArray<{ id: string; secret: string }>;
  ttlSeconds: number;
  subjects: Readonly<Record<string, string>>;
}): Promise<OAuthServer> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const provider = new Provider(issuer, {
    clients: options.clients.map((c) => ({
      client_id: c.id,
      client_secret: c.secret,
      grant_types: ["client_credentials", TOKEN_EXCHANGE],
      redirect_uris: [],
      response_types: [],
    })),
    features: {
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => "urn:backend",
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({ scope: "mcp", accessTokenTTL: options.ttlSeconds, accessTokenFormat: "opaque" }),
      },
    },
    ttl: { ClientCredentials: options.ttlSeconds },
  } as never);
  const grants = new Map<string, number>();
  const exchanges: Exchange[] = [];
  const count = (clientId: string) => grants.set(clientId, (grants.get(clientId) ?? 0) + 1);
  provider.on("grant.success", (ctx: { oidc: { client?: { clientId: string } } }) => {
    if (ctx.oidc.client) count(ctx.oidc.client.clientId);
  });
  provider.registerGrantType(
    TOKEN_EXCHANGE,
    async (ctx: { oidc: { client: { clientId: string }; params: Record<string, string | undefined> }; status: number; body: unknown }) => {
      const params = ctx.oidc.params;
      const sub = params.subject_token ? options.subjects[params.subject_token] : undefined;
      if (!sub || params.subject_token_type !== ACCESS_TOKEN_TYPE) {
        ctx.status = 400;
        ctx.body = { error: "invalid_grant" };
        return;
      }
      const issued = { token: randomBytes(24).toString("base64url"), sub, act: { sub: ctx.oidc.client.clientId }, aud: params.audience };
      exchanges.push({ clientId: ctx.oidc.client.clientId, subjectToken: params.subject_token!, audience: params.audience, issued });
      count(ctx.oidc.client.clientId);
      ctx.body = { access_token: issued.token, issued_token_type: ACCESS_TOKEN_TYPE, token_type: "Bearer", expires_in: 60 };
    },
    ["subject_token", "subject_token_type", "audience", "resource", "requested_token_type", "scope"],
  );
  server.on("request", provider.callback());
  return {
    issuer,
    tokenUrl: `${issuer}/token`,
    grants,
    exchanges,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
