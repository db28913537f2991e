import { describe, expect, it } from "vitest";
import { compileAuthenticator } from "../../src/compile/authenticate.js";
import { Secret } from "../../src/config/index.js";

const tokens = [
  { token: new Secret("env:A", "alpha-token"), subject: "alice", roles: ["admin"], claims: { team: "ops" } },
  { token: new Secret("env:B", "beta-token"), subject: "bob", roles: [], claims: {} },
];

describe("the bearer authenticator", () => {
  const auth = compileAuthenticator({ type: "bearer", tokens });

  it("maps each configured token to its identity, whatever the scheme's case", () => {
    expect(auth.authenticate({ authorization: "Bearer alpha-token" })).toEqual({ ok: true, identity: { sub: "alice", roles: ["admin"], scopes: [], claims: { team: "ops" } } });
    expect(auth.authenticate({ authorization: "bearer beta-token" })).toMatchObject({ ok: true, identity: { sub: "bob" } });
  });

  it("refuses a missing header, another scheme, an unknown token, a prefix or an extension of a real one", () => {
    expect(auth.authenticate({})).toMatchObject({ ok: false, reason: "missing", challenge: 'Bearer realm="mcp-portcullis"' });
    expect(auth.authenticate({ authorization: "Basic YWxwaGEtdG9rZW4=" })).toMatchObject({ ok: false, reason: "missing" });
    for (const wrong of ["alpha", "alpha-tokenX", "ALPHA-TOKEN", "alpha-token beta-token"]) {
      expect(auth.authenticate({ authorization: `Bearer ${wrong}` })).toMatchObject({ ok: false, reason: "invalid", challenge: expect.stringContaining('error="invalid_token"') });
    }
  });

  it("never puts a token in what it answers", () => {
    const answer = JSON.stringify([auth.authenticate({ authorization: "Bearer alpha-tokenX" }), auth.authenticate({ authorization: "Bearer alpha-token" })]);
    expect(answer).not.toContain("alpha-token");
  });

  it("makes every caller anonymous with auth none", () => {
    expect(compileAuthenticator({ type: "none" }).authenticate({ authorization: "Bearer anything" })).toMatchObject({ ok: true, identity: { sub: "anonymous", roles: [] } });
  });
});
