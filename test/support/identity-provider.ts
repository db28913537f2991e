import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from "jose";

/** One signing key of the test identity provider, with the kid its tokens name. */
export interface SigningKey {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
  readonly jwk: JWK;
}

export async function signingKey(kid: string, alg = "RS256"): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { kid, privateKey, publicKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: "sig" } };
}

/**
 * A real JWKS endpoint on loopback (node:http), serving whichever keys the test publishes, and
 * counting the fetches so a test can see the proxy's cache and cooldown at work.
 */
export interface IdentityProvider {
  readonly issuer: string;
  readonly jwksUrl: string;
  fetches: number;
  publish(keys: readonly SigningKey[]): void;
  /** A token signed with `key`; claims override the defaults (sub, iss, exp in an hour). */
  token(key: SigningKey, claims: JWTPayload & { aud: string | string[] }, header?: Record<string, unknown>): Promise<string>;
  close(): Promise<void>;
}

export async function startIdentityProvider(issuer = "https://idp.test.example"): Promise<IdentityProvider> {
  let published: readonly SigningKey[] = [];
  const provider = {
    issuer,
    jwksUrl: "",
    fetches: 0,
    publish(keys: readonly SigningKey[]) {
      published = keys;
    },
    async token(key: SigningKey, claims: JWTPayload & { aud: string | string[] }, header: Record<string, unknown> = {}) {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ sub: "alice", iss: issuer, iat: now, exp: now + 3600, ...claims })
        .setProtectedHeader({ alg: "RS256", kid: key.kid, typ: "JWT", ...header })
        .sign(key.privateKey);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server: Server = createServer((req, res) => {
    if (req.url !== "/jwks") return void res.writeHead(404).end();
    provider.fetches++;
    const body = JSON.stringify({ keys: published.map((k) => k.jwk) });
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  provider.jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`;
  return provider;
}
