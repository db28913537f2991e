import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { request as httpsRequest } from "node:https";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recorderBackend, textOf, waitFor } from "../support/mcp-clients.js";
import { type ProxyProcess, runProxyOnFile, writeConfig } from "../support/proxy-process.js";
import { initializeRequest } from "../support/raw-http.js";

const SECRET = "edge-test-hmac-secret-0123456789abcdef0123456789";
const ISSUER = "https://idp.edge.example";
const PUBLIC_URL = "https://mcp.example.com/tools/mcp";
const APP = "https://app.example";
const JSON_HEADERS = { "content-type": "application/json", accept: "application/json, text/event-stream" };

/** An HS256 token from the configured issuer for an audience. */
const tokenFor = (aud: string, sub = "alice") =>
  new SignJWT({ scope: "mcp" }).setProtectedHeader({ alg: "HS256" }).setSubject(sub).setIssuer(ISSUER).setAudience(aud).setExpirationTime("1h").sign(new TextEncoder().encode(SECRET));

/** A self-signed certificate for 127.0.0.1, made by openssl for this run only. */
function selfSignedCertificate(dir: string): { cert: string; key: string } {
  const cert = join(dir, "cert.pem");
  const key = join(dir, "key.pem");
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"], { stdio: "ignore" });
  return { cert, key };
}

/** POST over TLS trusting only the test's certificate. */
function postTls(url: string, body: unknown, headers: Record<string, string>, ca: string): Promise<{ status: number; headers: Record<string, unknown>; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { method: "POST", ca, headers: { ...JSON_HEADERS, ...headers } }, (res) => {
      let text = "";
      res.on("data", (d: Buffer) => (text += d.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on("error", reject);
    req.end(JSON.stringify(body));
  });
}

describe("an HTTP binding at the edge: publicUrl, trusted proxies, CORS, TLS", () => {
  let proxy: ProxyProcess;
  let edgeUrl: string;
  let directUrl: string;
  let secureUrl: string;
  let auditFile: string;
  let ca: string;
  const auditLines = () => {
    try {
      return readFileSync(auditFile, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    } catch {
      return [];
    }
  };

  beforeAll(async () => {
    const tls = selfSignedCertificate(mkdtempSync(join(tmpdir(), "mcp-proxy-tls-")));
    ca = readFileSync(tls.cert, "utf8");
    const file = writeConfig({
      version: 1,
      backends: { crm: recorderBackend("crm", { session: "shared" }) },
      bindings: [
        { transport: "http", name: "edge", port: 0, publicUrl: PUBLIC_URL, trustedProxies: ["127.0.0.1", "10.0.0.0/8"], cors: { allowedOrigins: [APP] } },
        { transport: "http", name: "direct", port: 0, trustedProxies: ["10.0.0.0/8"] },
        { transport: "http", name: "secure", port: 0, tls: { cert: { file: tls.cert }, key: { file: tls.key } } },
      ],
      auth: { type: "jwt", secret: { env: "EDGE_JWT_SECRET" }, issuer: ISSUER, requiredScopes: ["mcp"] },
      audit: { sink: "file", file: "audit.jsonl" },
      limits: { initializeWaitMs: 30_000 },
    });
    auditFile = join(dirname(file), "audit.jsonl");
    proxy = await runProxyOnFile(file, { env: { EDGE_JWT_SECRET: SECRET } });
    [edgeUrl, directUrl, secureUrl] = proxy.urls as [string, string, string];
  }, 60_000);

  afterAll(async () => {
    await proxy?.stop();
  });

  it("serves HTTPS with the configured certificate: an MCP session opens over TLS, and the resource URL is https", async () => {
    expect(secureUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/mcp$/);
    const opened = await postTls(secureUrl, initializeRequest(1), { authorization: `Bearer ${await tokenFor(secureUrl)}` }, ca);
    expect(opened.status).toBe(200);
    expect(opened.headers["mcp-session-id"]).toEqual(expect.any(String));
    expect(JSON.parse(opened.text)).toMatchObject({ result: { serverInfo: expect.any(Object) } });
    // A token for the plain-HTTP form of the URL names another resource.
    const wrong = await postTls(secureUrl, initializeRequest(2), { authorization: `Bearer ${await tokenFor(secureUrl.replace("https:", "http:"))}` }, ca);
    expect(wrong.status).toBe(401);
    // Plain HTTP to the TLS port gets no MCP answer.
    const plain = await fetch(secureUrl.replace("https:", "http:"), { method: "POST", headers: JSON_HEADERS, body: JSON.stringify(initializeRequest(3)) }).then(
      (r) => r.status,
      () => "failed",
    );
    expect(plain).not.toBe(200);
  });

  it("names its resource by publicUrl: the default audience, the challenge's metadata URL and the metadata document", async () => {
    const local = await fetch(edgeUrl, { method: "POST", headers: { ...JSON_HEADERS, authorization: `Bearer ${await tokenFor(edgeUrl)}` }, body: JSON.stringify(initializeRequest(1)) });
    expect(local.status).toBe(401);
    expect(local.headers.get("www-authenticate")).toBe(
      'Bearer error="invalid_token", error_description="wrong audience", resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/tools/mcp", scope="mcp"',
    );
    const proper = await fetch(edgeUrl, { method: "POST", headers: { ...JSON_HEADERS, authorization: `Bearer ${await tokenFor(PUBLIC_URL)}` }, body: JSON.stringify(initializeRequest(2)) });
    expect(proper.status).toBe(200);
    const origin = new URL(edgeUrl).origin;
    for (const path of ["/.well-known/oauth-protected-resource/tools/mcp", "/.well-known/oauth-protected-resource/mcp"]) {
      expect(await (await fetch(`${origin}${path}`)).json()).toEqual({ resource: PUBLIC_URL, authorization_servers: [ISSUER], scopes_supported: ["mcp"], bearer_methods_supported: ["header"] });
    }
  });

  it("answers a CORS preflight for an allowed origin on /mcp and /.well-known/*, and nothing to other origins or a binding without cors", async () => {
    const origin = new URL(edgeUrl).origin;
    const preflight = (url: string, from: string) =>
      fetch(url, { method: "OPTIONS", headers: { origin: from, "access-control-request-method": "POST", "access-control-request-headers": "authorization, content-type, mcp-session-id" } });
    for (const url of [edgeUrl, `${origin}/.well-known/oauth-protected-resource/tools/mcp`]) {
      const res = await preflight(url, APP);
      expect(res.status, url).toBe(204);
      expect(res.headers.get("access-control-allow-origin"), url).toBe(APP);
      expect(res.headers.get("access-control-allow-methods"), url).toContain("POST");
      const allowed = res.headers.get("access-control-allow-headers")!.toLowerCase().split(/,\s*/);
      expect(allowed, url).toEqual(expect.arrayContaining(["authorization", "content-type", "mcp-session-id", "mcp-protocol-version", "last-event-id"]));
    }
    const stranger = await preflight(edgeUrl, "https://evil.example");
    expect(stranger.status).toBe(403);
    expect(stranger.headers.get("access-control-allow-origin")).toBeNull();
    const noCors = await preflight(directUrl, APP);
    expect(noCors.status).toBe(403);
    expect(noCors.headers.get("access-control-allow-origin")).toBeNull();
    // The actual request: a browser may read the challenge and, once in, the session id.
    const refused = await fetch(edgeUrl, { method: "POST", headers: { ...JSON_HEADERS, origin: APP }, body: JSON.stringify(initializeRequest(1)) });
    expect(refused.status).toBe(401);
    expect(refused.headers.get("access-control-allow-origin")).toBe(APP);
    expect(refused.headers.get("access-control-expose-headers")).toBe("Mcp-Session-Id, WWW-Authenticate");
    const admitted = await fetch(edgeUrl, { method: "POST", headers: { ...JSON_HEADERS, origin: APP, authorization: `Bearer ${await tokenFor(PUBLIC_URL)}` }, body: JSON.stringify(initializeRequest(2)) });
    expect(admitted.status).toBe(200);
    expect(admitted.headers.get("access-control-allow-origin")).toBe(APP);
    expect(admitted.headers.get("mcp-session-id")).toEqual(expect.any(String));
    // The cacheable metadata fetched without Origin says it varies by Origin, so a shared cache
    // does not serve it, without the CORS header, to the browser app (nor the app's copy to others).
    const plain = await fetch(`${origin}/.well-known/oauth-protected-resource/tools/mcp`);
    expect(plain.status).toBe(200);
    expect(plain.headers.get("cache-control")).toContain("max-age");
    expect(plain.headers.get("vary")).toBe("Origin");
  });

  it("writes the forwarded client address in audit lines only for requests from a trusted proxy", async () => {
    const callThrough = async (url: string, audience: string, sub: string) => {
      const client = new Client({ name: `via-${sub}`, version: "1" });
      const headers = { authorization: `Bearer ${await tokenFor(audience, sub)}`, "x-forwarded-for": "203.0.113.7, 10.1.2.3", "x-forwarded-proto": "https" };
      await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }), { timeout: 30_000 });
      try {
        expect(textOf(await client.callTool({ name: "crm__whoami", arguments: {} }))).toBe("crm");
      } finally {
        await client.close();
      }
    };
    await callThrough(edgeUrl, PUBLIC_URL, "via-balancer");
    // 127.0.0.1 is not among the direct binding's trusted proxies: its forwarded headers are the client's own words.
    await callThrough(directUrl, directUrl, "direct-caller");
    const lineOf = (sub: string) => auditLines().find((l) => l.event === "request" && l.target === "crm__whoami" && (l.identity as { sub?: string } | null)?.sub === sub);
    expect(await waitFor(() => lineOf("via-balancer") !== undefined && lineOf("direct-caller") !== undefined)).toBe(true);
    expect(lineOf("via-balancer")).toMatchObject({ binding: "edge", remoteAddress: "203.0.113.7" });
    expect(lineOf("direct-caller")).toMatchObject({ binding: "direct", remoteAddress: "127.0.0.1" });
    // X-Forwarded-Proto is believed the same way: the direct binding still names its resource http://.
    const spoofed = await fetch(directUrl.replace("/mcp", "/.well-known/oauth-protected-resource/mcp"), { headers: { "x-forwarded-proto": "https" } });
    expect(((await spoofed.json()) as { resource: string }).resource).toBe(directUrl);
  });
});
