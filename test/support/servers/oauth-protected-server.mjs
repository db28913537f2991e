// An MCP server that requires OAuth itself, as the MCP authorization spec describes it, built
// from the v1 SDK's auth server parts: protected resource metadata (RFC 9728), authorization
// server metadata (RFC 8414), dynamic client registration (RFC 7591), authorization code with
// PKCE, refresh tokens, and a bearer check in front of a Streamable HTTP MCP endpoint. The
// authorization step approves at once (the "person" in the browser always says yes) and
// redirects to the client's registered redirect URI.
//   node oauth-protected-server.mjs [ttlSeconds]    prints its MCP URL on stdout
// GET /stats answers { registrations, codes, refreshes, mcpRequests, refused, headers } where
// headers are every header the MCP endpoint received (so a test can look for a client's token).
import { randomBytes, randomUUID } from "node:crypto";
import express from "express";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { mcpAuthRouter, getOAuthProtectedResourceMetadataUrl } from "@modelcontextprotocol/sdk/server/auth/router.js";
import { requireBearerAuth } from "@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js";
import { InvalidGrantError, InvalidTokenError } from "@modelcontextprotocol/sdk/server/auth/errors.js";
import { CallToolRequestSchema, ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js";

const ttlSeconds = Number(process.argv[2] ?? 3600);
const stats = { registrations: 0, codes: 0, refreshes: 0, mcpRequests: 0, refused: 0, headers: [] };
const clients = new Map();
const codes = new Map();
const accessTokens = new Map();
const refreshTokens = new Map();
const newToken = () => randomBytes(24).toString("base64url");

function issue(clientId, resource) {
  const access = newToken();
  const refresh = newToken();
  accessTokens.set(access, { clientId, expiresAt: Math.floor(Date.now() / 1000) + ttlSeconds, resource });
  refreshTokens.set(refresh, { clientId, resource });
  return { access_token: access, token_type: "bearer", expires_in: ttlSeconds, refresh_token: refresh, scope: "mcp" };
}

const provider = {
  clientsStore: {
    getClient: async (id) => clients.get(id),
    registerClient: async (client) => {
      stats.registrations++;
      const full = { ...client, client_id: randomUUID(), client_id_issued_at: Math.floor(Date.now() / 1000) };
      clients.set(full.client_id, full);
      return full;
    },
  },
  async authorize(client, params, res) {
    const code = newToken();
    codes.set(code, { clientId: client.client_id, challenge: params.codeChallenge, redirectUri: params.redirectUri, resource: params.resource?.href });
    stats.codes++;
    const target = new URL(params.redirectUri);
    target.searchParams.set("code", code);
    if (params.state !== undefined) target.searchParams.set("state", params.state);
    res.redirect(302, target.href);
  },
  async challengeForAuthorizationCode(_client, code) {
    const entry = codes.get(code);
    if (!entry) throw new InvalidGrantError("unknown code");
    return entry.challenge;
  },
  async exchangeAuthorizationCode(client, code, _verifier, redirectUri) {
    const entry = codes.get(code);
    codes.delete(code);
    if (!entry || entry.clientId !== client.client_id || (redirectUri && redirectUri !== entry.redirectUri)) throw new InvalidGrantError("bad code");
    return issue(client.client_id, entry.resource);
  },
  async exchangeRefreshToken(client, refreshToken) {
    const entry = refreshTokens.get(refreshToken);
    refreshTokens.delete(refreshToken);
    if (!entry || entry.clientId !== client.client_id) throw new InvalidGrantError("bad refresh token");
    stats.refreshes++;
    return issue(client.client_id, entry.resource);
  },
  async verifyAccessToken(token) {
    const entry = accessTokens.get(token);
    if (!entry) throw new InvalidTokenError("unknown token");
    return { token, clientId: entry.clientId, scopes: ["mcp"], expiresAt: entry.expiresAt };
  },
};

const app = express();
const http = app.listen(0, "127.0.0.1", () => {
  const base = new URL(`http://127.0.0.1:${http.address().port}/`);
  const mcpUrl = new URL("/mcp", base);
  app.use(
    mcpAuthRouter({
      provider,
      issuerUrl: base,
      resourceServerUrl: mcpUrl,
      scopesSupported: ["mcp"],
      authorizationOptions: { rateLimit: false },
      tokenOptions: { rateLimit: false },
      clientRegistrationOptions: { rateLimit: false },
      revocationOptions: { rateLimit: false },
    }),
  );
  app.get("/stats", (_req, res) => res.json(stats));
  const bearer = requireBearerAuth({ verifier: provider, resourceMetadataUrl: getOAuthProtectedResourceMetadataUrl(mcpUrl) });
  const sessions = new Map();
  app.all(
    "/mcp",
    (req, res, next) => {
      stats.mcpRequests++;
      stats.headers.push(req.headers);
      res.on("finish", () => res.statusCode === 401 && stats.refused++);
      next();
    },
    bearer,
    express.json(),
    async (req, res) => {
      const sid = req.headers["mcp-session-id"];
      let transport = sid ? sessions.get(sid) : undefined;
      if (!transport) {
        if (sid) return void res.status(404).end();
        transport = new StreamableHTTPServerTransport({ sessionIdGenerator: () => randomUUID(), onsessioninitialized: (id) => sessions.set(id, transport) });
        const server = new Server({ name: "protected", version: "1.0.0" }, { capabilities: { tools: {} } });
        server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: [{ name: "whoami", description: "the OAuth client the token was issued to", inputSchema: { type: "object", properties: {} } }] }));
        server.setRequestHandler(CallToolRequestSchema, async (_request, extra) => ({ content: [{ type: "text", text: `client ${extra.authInfo?.clientId}` }] }));
        await server.connect(transport);
      }
      await transport.handleRequest(req, res, req.body);
    },
  );
  console.log(mcpUrl.href);
});
