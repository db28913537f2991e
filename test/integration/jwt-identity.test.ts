import { readFileSync } from "node:fs";
import { request } from "node:http";
import { dirname, join } from "node:path";
import { exportSPKI, SignJWT, UnsecuredJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type IdentityProvider, type SigningKey, signingKey, startIdentityProvider } from "../support/identity-provider.js";
import { connectClient, recorderBackend, refusal, textOf, waitFor } from "../support/mcp-clients.js";
import { type ProxyProcess, runProxyOnFile, writeConfig } from "../support/proxy-process.js";
import { initializeRequest } from "../support/raw-http.js";

const JSON_HEADERS = { "content-type": "application/json", accept: "application/json, text/event-stream" };
const now = () => Math.floor(Date.now() / 1000);

describe("JWT identity on an HTTP binding (a real JWKS on loopback, a real proxy process)", () => {
  let idp: IdentityProvider;
  let first: SigningKey;
  let stranger: SigningKey;
  let proxy: ProxyProcess;
  let auditFile: string;
  let resource: string;
  const auditLines = () => {
    try {
      return readFileSync(auditFile, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    } catch {
      return [];
    }
  };
  /** A token for the proxy (audience: its MCP endpoint URL), with every scope it needs unless told otherwise. */
  const tokenFor = (claims: Record<string, unknown> = {}, key = first) => idp.token(key, { aud: resource, scope: "mcp", ...claims });
  const initialize = (headers: Record<string, string>) => fetch(resource, { method: "POST", headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(initializeRequest(1)) });

  beforeAll(async () => {
    idp = await startIdentityProvider();
    [first, stranger] = await Promise.all([signingKey("k1"), signingKey("k1")]);
    idp.publish([first]);
    const file = writeConfig({
      version: 1,
      backends: { crm: recorderBackend("crm") },
      bindings: [{ transport: "http", port: 0 }],
      auth: { type: "jwt", jwksUrl: idp.jwksUrl, issuer: idp.issuer, rolesClaim: "realm.roles", requiredScopes: ["mcp"], scopesSupported: ["mcp", "crm:write"], jwksCooldownMs: 1000 },
      policies: {
        default: "deny",
        rules: [
          { name: "readers-search", effect: "allow", match: { names: ["crm__search"] }, when: { in: ["reader", { var: "identity.roles" }] } },
          { name: "writers-whoami", effect: "allow", match: { names: ["crm__whoami"] }, when: { in: ["crm:write", { var: "identity.scopes" }] } },
        ],
      },
      audit: { sink: "file", file: "audit.jsonl" },
      limits: { initializeWaitMs: 30_000 },
    });
    auditFile = join(dirname(file), "audit.jsonl");
    proxy = await runProxyOnFile(file);
    resource = proxy.url!;
  }, 60_000);

  afterAll(async () => {
    await proxy?.stop();
    await idp?.close();
  });

  it("admits a valid token with its roles and scopes: policies read them, the audit line names sub and iss, never the token", async () => {
    const token = await tokenFor({ scope: "mcp crm:write", realm: { roles: ["reader"] } });
    const alice = await connectClient("http", { url: resource }, { token });
    try {
      expect((await alice.client.listTools()).tools.map((t) => t.name).sort()).toEqual(["crm__search", "crm__whoami"]);
      expect(textOf(await alice.client.callTool({ name: "crm__search", arguments: { query: "invoices" } }))).toBe("crm: invoices");
      expect(textOf(await alice.client.callTool({ name: "crm__whoami", arguments: {} }))).toBe("crm");
    } finally {
      await alice.close();
    }
    // Another caller of the same issuer, without the role and the write scope, is refused both.
    const bob = await connectClient("http", { url: resource }, { token: await tokenFor({ sub: "bob", scp: ["mcp"] }) });
    try {
      expect((await bob.client.listTools()).tools).toEqual([]);
      expect(await refusal(bob.client.callTool({ name: "crm__search", arguments: { query: "x" } }))).toMatchObject({ code: -32602 });
    } finally {
      await bob.close();
    }
    expect(await waitFor(() => auditLines().some((l) => l.event === "request" && l.target === "crm__whoami"))).toBe(true);
    const line = auditLines().find((l) => l.event === "request" && l.target === "crm__whoami")!;
    expect(line).toMatchObject({ decision: "allow", rule: "writers-whoami", identity: { sub: "alice", iss: idp.issuer, roles: ["reader"], scopes: ["mcp", "crm:write"] } });
    expect(readFileSync(auditFile, "utf8")).not.toContain(token.split(".")[2]!);
  });

  it("refuses a missing token and every kind of invalid one with 401 and the RFC 9728 challenge", async () => {
    const metadata = `${new URL(resource).origin}/.well-known/oauth-protected-resource/mcp`;
    const missing = await initialize({});
    expect(missing.status).toBe(401);
    expect(missing.headers.get("www-authenticate")).toBe(`Bearer resource_metadata="${metadata}", scope="mcp"`);
    expect(missing.headers.get("mcp-session-id")).toBeNull();

    const rsaPem = await exportSPKI(first.publicKey);
    const cases: Array<[string, Promise<string>, string]> = [
      ["wrong audience", tokenFor({ aud: "https://another-service.example/mcp" }), "wrong audience"],
      ["wrong issuer", tokenFor({ iss: "https://evil.example" }), "wrong issuer"],
      ["expired", tokenFor({ iat: now() - 7200, exp: now() - 3600 }), "expired"],
      ["not yet valid", tokenFor({ nbf: now() + 3600 }), "not yet valid"],
      ["signed by another key", tokenFor({}, stranger), "bad signature"],
      ["alg none", Promise.resolve(new UnsecuredJWT({ sub: "alice", iss: idp.issuer, aud: resource, scope: "mcp" }).setExpirationTime("1h").encode()), "algorithm not allowed"],
      [
        "HS256 signed with the RSA public key",
        new SignJWT({ sub: "alice", iss: idp.issuer, aud: resource, scope: "mcp" }).setProtectedHeader({ alg: "HS256", kid: "k1" }).setExpirationTime("1h").sign(new TextEncoder().encode(rsaPem)),
        "algorithm not allowed",
      ],
      ["no expiry", new SignJWT({ sub: "alice", iss: idp.issuer, aud: resource, scope: "mcp" }).setProtectedHeader({ alg: "RS256", kid: "k1" }).sign(first.privateKey), "no exp claim"],
    ];
    for (const [name, token, detail] of cases) {
      const res = await initialize({ authorization: `Bearer ${await token}` });
      expect(res.status, name).toBe(401);
      expect(res.headers.get("www-authenticate"), name).toBe(`Bearer error="invalid_token", error_description="${detail}", resource_metadata="${metadata}", scope="mcp"`);
      expect(res.headers.get("mcp-session-id"), name).toBeNull();
      expect(await res.json(), name).toMatchObject({ error: { code: -32019, data: { reason: "UNAUTHENTICATED" } } });
    }
    expect(await waitFor(() => auditLines().filter((l) => l.event === "authentication" && l.reason === "INVALID_CREDENTIALS").length >= cases.length)).toBe(true);
    expect(auditLines().filter((l) => l.event === "authentication").map((l) => l.detail)).toEqual(expect.arrayContaining(["wrong audience", "expired", "bad signature"]));
  });

  it("does not let a client pick the audience through Host: a token minted for another local MCP server is refused", async () => {
    const own = new URL(resource);
    const withHost = (host: string, token: string) =>
      new Promise<{ status: number; challenge: string | undefined }>((resolve, reject) => {
        const req = request({ host: own.hostname, port: own.port, path: own.pathname, method: "POST", headers: { ...JSON_HEADERS, host, authorization: `Bearer ${token}` } }, (res) => {
          res.resume();
          resolve({ status: res.statusCode!, challenge: res.headers["www-authenticate"] });
        });
        req.on("error", reject);
        req.end(JSON.stringify(initializeRequest(1)));
      });
    // Another server on this machine (another port), and another address: both pass the Host guard, neither is this listener.
    for (const other of ["localhost:9", `localhost:${Number(own.port) + 1}`, `127.0.0.2:${own.port}`]) {
      const foreign = await withHost(other, await tokenFor({ aud: `http://${other}/mcp` }));
      expect(foreign.status, other).toBe(401);
      expect(foreign.challenge, other).toContain('error_description="wrong audience"');
    }
    // The name a local client really uses for this listener still works as the audience.
    const local = `localhost:${own.port}`;
    expect((await withHost(local, await tokenFor({ aud: `http://${local}/mcp` }))).status).toBe(200);
  });

  it("refuses a valid token without a required scope with 403 insufficient_scope naming the scopes needed", async () => {
    const res = await initialize({ authorization: `Bearer ${await tokenFor({ scope: "crm:write" })}` });
    expect(res.status).toBe(403);
    expect(res.headers.get("www-authenticate")).toMatch(/^Bearer error="insufficient_scope", scope="mcp", resource_metadata="[^"]+"/);
    expect(await res.json()).toMatchObject({ error: { code: -32026, data: { reason: "INSUFFICIENT_SCOPE" } } });
    expect(await waitFor(() => auditLines().some((l) => l.reason === "INSUFFICIENT_SCOPE"))).toBe(true);
    expect(auditLines().find((l) => l.reason === "INSUFFICIENT_SCOPE")).toMatchObject({ code: 403, identity: { sub: "alice", iss: idp.issuer } });
  });

  it("serves protected resource metadata at the root and the path-suffixed well-known URL, without a token", async () => {
    const origin = new URL(resource).origin;
    for (const path of ["/.well-known/oauth-protected-resource/mcp", "/.well-known/oauth-protected-resource"]) {
      const res = await fetch(`${origin}${path}`);
      expect(res.status, path).toBe(200);
      expect(await res.json(), path).toEqual({ resource, authorization_servers: [idp.issuer], scopes_supported: ["mcp", "crm:write"], bearer_methods_supported: ["header"] });
    }
  });

  it("picks up a rotated signing key without a restart, and refuses the retired one", async () => {
    const second = await signingKey("k2");
    const before = await tokenFor();
    expect((await initialize({ authorization: `Bearer ${before}` })).status).toBe(200);
    idp.publish([second]);
    const rotated = await tokenFor({}, second);
    // The first unknown kid within the cooldown (1 s) is refused without a fetch; after it, one fetch finds the new key.
    expect(await waitFor(async () => (await initialize({ authorization: `Bearer ${rotated}` })).status === 200, 10_000, 300)).toBe(true);
    const retired = await initialize({ authorization: `Bearer ${before}` });
    expect(retired.status).toBe(401);
    expect(retired.headers.get("www-authenticate")).toContain('error_description="unknown signing key"');
    // A stream of made-up kids costs the identity provider at most one fetch per cooldown.
    const fetches = idp.fetches;
    const madeUp = await Promise.all(Array.from({ length: 20 }, (_, i) => tokenFor({}, { ...second, kid: `forged-${i}` })));
    for (const token of madeUp) expect((await initialize({ authorization: `Bearer ${token}` })).status).toBe(401);
    expect(idp.fetches - fetches).toBeLessThanOrEqual(2);
    // Rotating back is picked up the same way (the next test signs with the first key).
    idp.publish([first]);
    expect(await waitFor(async () => (await initialize({ authorization: `Bearer ${before}` })).status === 200, 10_000, 300)).toBe(true);
  });

  it("keeps a session to the caller who opened it: another identity's token, or none, is refused", async () => {
    const alice = await tokenFor({ realm: { roles: ["reader"] } });
    const opened = await initialize({ authorization: `Bearer ${alice}` });
    expect(opened.status).toBe(200);
    await opened.text();
    const session = opened.headers.get("mcp-session-id")!;
    expect(Buffer.from(session, "base64url").length).toBeGreaterThanOrEqual(16);
    const list = (authorization?: string) =>
      fetch(resource, {
        method: "POST",
        headers: { ...JSON_HEADERS, "mcp-session-id": session, "mcp-protocol-version": "2025-06-18", ...(authorization ? { authorization } : {}) },
        body: JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list", params: {} }),
      });
    const asMallory = await list(`Bearer ${await tokenFor({ sub: "mallory", realm: { roles: ["reader"] } })}`);
    expect(asMallory.status).toBe(404);
    const sameSubjectOtherIssuer = await list(`Bearer ${await tokenFor({ iss: "https://other-idp.example" })}`);
    expect(sameSubjectOtherIssuer.status).toBe(401);
    const anonymous = await list();
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("www-authenticate")).toContain("resource_metadata=");
    // The owner, with a fresh token for the same subject and issuer, keeps using it.
    const owner = await list(`Bearer ${await tokenFor({ realm: { roles: ["reader"] } })}`);
    expect(owner.status).toBe(200);
  });
});
