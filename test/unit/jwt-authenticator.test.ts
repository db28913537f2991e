import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { compileAuthenticator } from "../../src/compile/authenticate.js";
import { Secret } from "../../src/config/index.js";
import type { ResolvedAuth } from "../../src/config/index.js";
import { callerTokenOf } from "../../src/core/caller-token.js";

const KEY = "unit-test-hmac-key-with-enough-bytes-0123456789";
const edge = { resource: "https://mcp.example.com/mcp", resourceMetadata: "https://mcp.example.com/.well-known/oauth-protected-resource/mcp" };
const settings = (extra: Partial<Extract<ResolvedAuth, { type: "jwt" }>> = {}): ResolvedAuth => ({
  type: "jwt",
  secret: new Secret("env:KEY", KEY),
  jwksUrl: undefined,
  issuer: "https://idp.example",
  audience: undefined,
  algorithms: ["HS256"],
  rolesClaim: "roles",
  requiredScopes: [],
  clockSkewSec: 30,
  authorizationServers: ["https://idp.example"],
  scopesSupported: [],
  jwksCooldownMs: 30_000,
  jwksMaxAgeMs: 600_000,
  ...extra,
});
const sign = (claims: Record<string, unknown>) =>
  new SignJWT({ iss: "https://idp.example", aud: edge.resource, sub: "alice", ...claims }).setProtectedHeader({ alg: "HS256" }).setExpirationTime("5m").sign(new TextEncoder().encode(KEY));
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe("the jwt authenticator (HMAC secret)", () => {
  it("reads roles from a space-separated string, a nested path or a URL-named claim, and scopes from scope and scp", async () => {
    const plain = await compileAuthenticator(settings()).authenticate(bearer(await sign({ roles: "reader writer", scp: "a b" })), edge);
    expect(plain).toMatchObject({ ok: true, identity: { sub: "alice", iss: "https://idp.example", roles: ["reader", "writer"], scopes: ["a", "b"] } });
    const nested = await compileAuthenticator(settings({ rolesClaim: "realm_access.roles" })).authenticate(bearer(await sign({ realm_access: { roles: ["admin"] }, scope: "x", scp: ["y"] })), edge);
    expect(nested).toMatchObject({ ok: true, identity: { roles: ["admin"], scopes: ["x", "y"] } });
    const named = await compileAuthenticator(settings({ rolesClaim: "https://example.com/roles" })).authenticate(bearer(await sign({ "https://example.com/roles": ["ops"] })), edge);
    expect(named).toMatchObject({ ok: true, identity: { roles: ["ops"] } });
  });

  it("keeps the token beside the identity for the credential broker, never on it", async () => {
    const token = await sign({ team: "ops" });
    const outcome = await compileAuthenticator(settings()).authenticate(bearer(token), edge);
    if (!outcome.ok) throw new Error("refused");
    expect(callerTokenOf(outcome.identity)).toBe(token);
    expect(JSON.stringify(outcome.identity)).not.toContain(token.split(".")[2]);
    expect(Object.isFrozen(outcome.identity.claims)).toBe(true);
    expect(outcome.identity.claims.team).toBe("ops");
  });

  it("checks a configured audience instead of the resource, and refuses when there is neither", async () => {
    const auth = compileAuthenticator(settings({ audience: "api://portcullis" }));
    expect(await auth.authenticate(bearer(await sign({ aud: "api://portcullis" })), edge)).toMatchObject({ ok: true });
    expect(await auth.authenticate(bearer(await sign({})), edge)).toMatchObject({ ok: false, status: 401, detail: "wrong audience" });
    expect(await compileAuthenticator(settings()).authenticate(bearer(await sign({})))).toMatchObject({ ok: false, detail: "no audience to check" });
  });

  it("tolerates the clock skew: a token 10 s past exp passes with 30 s of skew, one 60 s past is expired", async () => {
    const now = Math.floor(Date.now() / 1000);
    const auth = compileAuthenticator(settings({ clockSkewSec: 30 }));
    const at = (exp: number) => new SignJWT({ iss: "https://idp.example", aud: edge.resource, sub: "alice", exp }).setProtectedHeader({ alg: "HS256" }).sign(new TextEncoder().encode(KEY));
    expect(await auth.authenticate(bearer(await at(now - 10)), edge)).toMatchObject({ ok: true });
    expect(await auth.authenticate(bearer(await at(now - 60)), edge)).toMatchObject({ ok: false, detail: "expired" });
  });

  it("serves metadata with the authorization servers and supported scopes", () => {
    expect(compileAuthenticator(settings({ scopesSupported: ["mcp"] })).resourceMetadata?.(edge.resource)).toEqual({
      resource: edge.resource,
      authorization_servers: ["https://idp.example"],
      scopes_supported: ["mcp"],
      bearer_methods_supported: ["header"],
    });
    expect(compileAuthenticator({ type: "none" }).resourceMetadata).toBeUndefined();
  });
});
