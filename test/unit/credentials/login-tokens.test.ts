import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LoginTokens } from "../../../src/backends/credentials/login-tokens.js";
import { type LoginRecord, TokenStore } from "../../../src/backends/credentials/index.js";

const SERVER = "http://127.0.0.1:9/mcp";
const record = (accessToken: string, expiresIn: number, refreshToken?: string): LoginRecord => ({
  serverUrl: SERVER,
  authorizationServerUrl: "http://127.0.0.1:9",
  authorizationServerMetadata: undefined,
  clientInformation: { client_id: "gateway" },
  resource: SERVER,
  tokens: { access_token: accessToken, token_type: "Bearer", expires_in: expiresIn, obtainedAt: Date.now(), ...(refreshToken ? { refresh_token: refreshToken } : {}) },
});

describe("the tokens of a login-managed backend", () => {
  it("picks up a new `mcp-proxy login` without a restart once the one in memory can no longer be used", async () => {
    const store = new TokenStore(mkdtempSync(join(tmpdir(), "mcp-proxy-login-tokens-")), undefined);
    // Expired at once, and no refresh token: the gateway can only ask for a new login.
    store.write("remote", record("old-access", 1));
    const tokens = new LoginTokens("remote", SERVER, store, 1000);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await expect(tokens.token()).rejects.toThrow(/run `mcp-proxy login remote`/);
    // The user does as told: login stores fresh tokens, which the next request uses.
    store.write("remote", record("new-access", 3600, "new-refresh"));
    await expect(tokens.token()).resolves.toBe("new-access");
    // And a login stored for another URL is not taken for this backend's.
    store.write("remote", { ...record("other-access", 3600), serverUrl: "http://127.0.0.1:9/elsewhere" });
    await expect(tokens.token("new-access")).rejects.toThrow(/mcp-proxy login remote/);
  });
});
