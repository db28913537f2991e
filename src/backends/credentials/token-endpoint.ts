import type { IssuedToken } from "./types.js";
import { credentialError } from "./credential-error.js";

/** A token response is a few kilobytes; a larger body is not one. */
const MAX_BODY_BYTES = 64 * 1024;

export interface TokenRequest {
  readonly backend: string;
  readonly tokenUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly form: Readonly<Record<string, string | undefined>>;
  readonly timeoutMs: number;
}

/**
 * One POST to a token endpoint (RFC 6749 §3.2) with client_secret_basic, bounded in time
 * (connect, answer and body together) and in size. Every failure is a -32014 naming the
 * backend; nothing of the request (secret, subject token) appears in it.
 */
export async function requestToken(request: TokenRequest): Promise<IssuedToken> {
  const { backend, timeoutMs } = request;
  const body = new URLSearchParams();
  for (const [name, value] of Object.entries(request.form)) if (value !== undefined) body.set(name, value);
  const started = Date.now();
  let status: number;
  let text: string;
  try {
    const response = await fetch(request.tokenUrl, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json", authorization: basicAuthorization(request.clientId, request.clientSecret) },
      body,
      redirect: "error",
      signal: AbortSignal.timeout(timeoutMs),
    });
    status = response.status;
    text = await readCapped(response);
  } catch (error) {
    const e = error as Error;
    const why = e.name === "TimeoutError" || e.name === "AbortError" ? `no answer within ${timeoutMs} ms` : e.name === "BodyTooLarge" ? e.message : `unreachable (${causeOf(e)})`;
    throw credentialError(backend, `its token endpoint ${origin(request.tokenUrl)} failed: ${why}`, { tokenUrl: origin(request.tokenUrl) });
  }
  const parsed = parseJson(text);
  if (status < 200 || status >= 300) {
    const code = typeof parsed?.error === "string" && /^[\x20-\x7e]{1,64}$/.test(parsed.error) ? ` (${parsed.error})` : "";
    throw credentialError(backend, `its token endpoint ${origin(request.tokenUrl)} refused the token request: HTTP ${status}${code}`, { status, tokenUrl: origin(request.tokenUrl) });
  }
  const accessToken = parsed?.access_token;
  const tokenType = parsed?.token_type;
  if (typeof accessToken !== "string" || accessToken === "" || (typeof tokenType === "string" && tokenType.toLowerCase() !== "bearer")) {
    throw credentialError(backend, `its token endpoint ${origin(request.tokenUrl)} answered without a bearer access_token`, { tokenUrl: origin(request.tokenUrl) });
  }
  const expiresIn = Number(parsed?.expires_in);
  return { accessToken, expiresAt: Number.isFinite(expiresIn) && expiresIn > 0 ? started + expiresIn * 1000 : undefined };
}

/** RFC 6749 §2.3.1: id and secret are form-encoded before they are joined and base64-encoded. */
function basicAuthorization(id: string, secret: string): string {
  const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, "+");
  return `Basic ${Buffer.from(`${encode(id)}:${encode(secret)}`).toString("base64")}`;
}

async function readCapped(response: Response): Promise<string> {
  if (!response.body) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > MAX_BODY_BYTES) {
      const error = new Error(`answered with more than ${MAX_BODY_BYTES} bytes`);
      error.name = "BodyTooLarge";
      throw error;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(text) as unknown;
    return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The endpoint named in errors: scheme, host and path, never a query (which could carry anything). */
function origin(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return "(invalid URL)";
  }
}

function causeOf(error: Error): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  if (typeof cause?.code === "string") return cause.code;
  return error.message;
}
