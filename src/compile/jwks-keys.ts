import { createLocalJWKSet, createRemoteJWKSet, customFetch, errors, type JWTVerifyGetKey } from "jose";

/** A key set is a few keys; anything far larger is not one, and is not read into memory. */
const MAX_JWKS_BYTES = 256 * 1024;
const FETCH_TIMEOUT_MS = 5_000;

export interface JwksSettings {
  readonly url: string;
  /** Least time between fetches made for an unknown `kid`. */
  readonly cooldownMs: number;
  /** How long fetched keys are used before the set is fetched again. */
  readonly maxAgeMs: number;
}

/**
 * The keys of a JWKS endpoint, as jose's remote key set keeps them (fetched on first use,
 * cached, fetched again for an unknown `kid` at most once per cooldown, so a rotation is picked
 * up without a restart and a stream of made-up kids cannot hammer the endpoint), with two
 * bounds of ours: the answer's size, and a fallback to the last keys fetched when a refresh
 * after `maxAgeMs` fails, so an identity provider's short outage does not lock every caller out.
 */
export function jwksKeys(settings: JwksSettings): JWTVerifyGetKey {
  const remote = createRemoteJWKSet(new URL(settings.url), {
    timeoutDuration: FETCH_TIMEOUT_MS,
    cooldownDuration: settings.cooldownMs,
    cacheMaxAge: settings.maxAgeMs,
    [customFetch]: fetchBounded,
  });
  let lastKnown: { jwks: unknown; keys: JWTVerifyGetKey } | undefined;
  return async (header, token) => {
    try {
      return await remote(header, token);
    } catch (error) {
      if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) throw error;
      const jwks = remote.jwks();
      if (!jwks) throw error;
      if (lastKnown?.jwks !== jwks) lastKnown = { jwks, keys: createLocalJWKSet(jwks) };
      return lastKnown.keys(header, token);
    }
  };
}

async function fetchBounded(url: string, init: RequestInit): Promise<Response> {
  const response = await fetch(url, init);
  // jose refuses anything but 200 without reading it.
  if (response.status !== 200 || !response.body) {
    await response.body?.cancel().catch(() => undefined);
    return response;
  }
  const declared = Number(response.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > MAX_JWKS_BYTES) {
    await response.body.cancel().catch(() => undefined);
    throw new errors.JWKSInvalid(`the JWKS answer is over ${MAX_JWKS_BYTES} bytes`);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_JWKS_BYTES) {
      await reader.cancel().catch(() => undefined);
      throw new errors.JWKSInvalid(`the JWKS answer is over ${MAX_JWKS_BYTES} bytes`);
    }
    chunks.push(value);
  }
  return new Response(Buffer.concat(chunks), { status: 200, headers: { "content-type": "application/json" } });
}
