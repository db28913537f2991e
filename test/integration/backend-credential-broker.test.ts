import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli } from "../support/cli.js";
import { connectClient, recorderBackend, refusal, SERVERS, startHttpServer, textOf, waitFor } from "../support/mcp-clients.js";
import { REPO_ROOT } from "../support/cli.js";
import { type OAuthServer, startOAuthServer } from "../support/oauth-server.js";
import { type ProxyProcess, startProxyProcess, writeConfig } from "../support/proxy-process.js";
import { CredentialBroker, TokenStore } from "../../src/backends/credentials/index.js";
import type { RemoteBackendSpec } from "../../src/backends/backend-spec.js";

// The callers' own tokens: they may reach the token endpoint as a token exchange's subject,
// and nothing else: no backend, no child's environment, no log or audit line.
const CANARY = { alice: "canary-alice-5d1f0c2b9e8a", bob: "canary-bob-77e3a90c4d12" };
const SECRETS = { GW_SECRET: "gw-secret-3f9a1c77d2", FLAKY_SECRET: "flaky-secret-0b4e6a19c3" };
const TTL_SECONDS = 2;
const HEADER_RECORDER = `${REPO_ROOT}test/support/servers/header-recorder-server.mjs`;

let oauth: OAuthServer;
let forwarder: { url: string; hang: boolean; server: Server };
let backends: Record<"cc" | "xchg" | "flaky", { url: string; stop(): void }>;
let chatty: { url: string; stop(): void };
let sseRecorder: { url: string; stop(): void };
let proxy: ProxyProcess;

const headersAt = async (backend: { url: string }) => (await (await fetch(new URL("/headers", backend.url))).json()) as Array<Record<string, string>>;
const asCaller = (who: keyof typeof CANARY) => connectClient("http", { url: proxy.url }, { token: CANARY[who], name: who });

/** A token endpoint in front of the real one that can be made to stop answering (a hung server). */
async function startForwarder(target: string): Promise<{ url: string; hang: boolean; server: Server }> {
  const state = { url: "", hang: false, server: createServer() };
  state.server.on("request", async (req, res) => {
    if (state.hang) return; // never answers: the proxy's timeout must end the wait
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const answer = await fetch(target, { method: "POST", headers: { authorization: String(req.headers.authorization), "content-type": String(req.headers["content-type"]) }, body: Buffer.concat(chunks) });
    res.writeHead(answer.status, { "content-type": answer.headers.get("content-type") ?? "application/json" }).end(await answer.text());
  });
  await new Promise<void>((resolve) => state.server.listen(0, "127.0.0.1", resolve));
  state.url = `http://127.0.0.1:${(state.server.address() as { port: number }).port}/token`;
  return state;
}

beforeAll(async () => {
  oauth = await startOAuthServer({
    clients: [
      { id: "gateway", secret: SECRETS.GW_SECRET },
      { id: "gateway-flaky", secret: SECRETS.FLAKY_SECRET },
      // One client per backend, so each backend's token requests are counted apart.
      { id: "gateway-xchg", secret: SECRETS.GW_SECRET },
      { id: "gateway-chatty", secret: SECRETS.GW_SECRET },
      { id: "gateway-sse", secret: SECRETS.GW_SECRET },
    ],
    ttlSeconds: TTL_SECONDS,
    subjects: { [CANARY.alice]: "alice", [CANARY.bob]: "bob" },
  });
  forwarder = await startForwarder(oauth.tokenUrl);
  const [cc, xchg, flaky] = await Promise.all([startHttpServer(HEADER_RECORDER, []), startHttpServer(HEADER_RECORDER, []), startHttpServer(HEADER_RECORDER, [])]);
  backends = { cc: cc!, xchg: xchg!, flaky: flaky! };
  chatty = await startHttpServer(SERVERS.misbehavingHttp, ["null-reply"]);
  sseRecorder = await startHttpServer(HEADER_RECORDER, []);
  const clientSecret = { env: "GW_SECRET" };
  proxy = await startProxyProcess(
    {
      version: 1,
      backends: {
        cc: { transport: "http", url: cc!.url, session: "shared", auth: { type: "clientCredentials", tokenUrl: oauth.tokenUrl, clientId: "gateway", clientSecret, scope: "mcp" } },
        xchg: { transport: "http", url: xchg!.url, auth: { type: "tokenExchange", tokenUrl: oauth.tokenUrl, clientId: "gateway-xchg", clientSecret, audience: "urn:xchg" } },
        flaky: {
          transport: "http",
          url: flaky!.url,
          session: "shared",
          auth: { type: "clientCredentials", tokenUrl: forwarder.url, clientId: "gateway-flaky", clientSecret: { env: "FLAKY_SECRET" }, timeoutMs: 500 },
        },
        local: recorderBackend("local", { session: "shared" }),
        legacy: { transport: "sse", url: new URL("/sse", sseRecorder.url).href, session: "shared", auth: { type: "clientCredentials", tokenUrl: oauth.tokenUrl, clientId: "gateway-sse", clientSecret } },
        chatty: { transport: "http", url: chatty.url, session: "shared", auth: { type: "clientCredentials", tokenUrl: oauth.tokenUrl, clientId: "gateway-chatty", clientSecret } },
      },
      bindings: [{ transport: "http", port: 0 }],
      auth: {
        type: "bearer",
        tokens: [
          { token: { env: "CANARY_ALICE" }, subject: "alice" },
          { token: { env: "CANARY_BOB" }, subject: "bob" },
        ],
      },
      policies: { default: "allow", rules: [] },
      logging: { level: "debug" },
    },
    { env: { ...SECRETS, CANARY_ALICE: CANARY.alice, CANARY_BOB: CANARY.bob } },
  );
}, 60_000);

afterAll(async () => {
  await proxy?.stop();
  for (const b of Object.values(backends ?? {})) b.stop();
  chatty?.stop();
  sseRecorder?.stop();
  forwarder?.server.closeAllConnections();
  forwarder?.server.close();
  await oauth?.close();
});

describe("client credentials", () => {
  it("gives the backend the proxy's own token from the token endpoint, never the caller's", async () => {
    const c = await asCaller("alice");
    try {
      const header = textOf(await c.client.callTool({ name: "cc__authorization", arguments: {} }));
      expect(header).toMatch(/^Bearer \S{20,}$/);
      expect(header).not.toContain(CANARY.alice);
      expect(oauth.grants.get("gateway")).toBeGreaterThanOrEqual(1);
    } finally {
      await c.close();
    }
  });

  it("renews a short-lived token before it expires; concurrent calls after expiry cost one token request", async () => {
    const a = await asCaller("alice");
    const b = await asCaller("bob");
    try {
      const first = textOf(await a.client.callTool({ name: "cc__authorization", arguments: {} }));
      await new Promise((resolve) => setTimeout(resolve, TTL_SECONDS * 1000 + 200));
      const before = oauth.grants.get("gateway") ?? 0;
      const [one, two] = await Promise.all([a.client.callTool({ name: "cc__authorization", arguments: {} }), b.client.callTool({ name: "cc__authorization", arguments: {} })]);
      expect(textOf(one)).toBe(textOf(two));
      expect(textOf(one)).not.toBe(first);
      expect(oauth.grants.get("gateway")).toBe(before + 1);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("authorizes a legacy SSE backend's stream and posts alike", async () => {
    const c = await asCaller("alice");
    try {
      const header = textOf(await c.client.callTool({ name: "legacy__authorization", arguments: {} }));
      expect(header).toMatch(/^Bearer \S{20,}$/);
      const seen = await headersAt(sseRecorder);
      // The stream was opened at start-up, with the token of that moment (renewed since: 2 s tokens).
      const streams = seen.filter((h) => h.accept === "text/event-stream");
      expect(streams.length).toBeGreaterThan(0);
      for (const stream of streams) expect(stream.authorization).toMatch(/^Bearer \S{20,}$/);
    } finally {
      await c.close();
    }
  });

  it("masks the broker's token in a backend error that echoes its Authorization header", async () => {
    const c = await asCaller("alice");
    try {
      const error = await refusal(c.client.callTool({ name: "chatty__leak", arguments: {} }));
      expect(error).toMatchObject({ code: -32000, message: "bad auth Bearer [redacted]", data: { auth: "Bearer [redacted]" } });
    } finally {
      await c.close();
    }
  });

  it("shares one token request between concurrent first requests (the broker alone, against the same server)", async () => {
    const broker = new CredentialBroker(new TokenStore("/nonexistent", undefined));
    const source = broker.backendWide({
      name: "direct",
      url: "http://127.0.0.1:9/mcp",
      auth: { type: "clientCredentials", tokenUrl: oauth.tokenUrl, clientId: "gateway", clientSecret: SECRETS.GW_SECRET, scope: "mcp", audience: undefined, resource: undefined, timeoutMs: 5000 },
    } as unknown as RemoteBackendSpec)!;
    const before = oauth.grants.get("gateway") ?? 0;
    const tokens = await Promise.all([source.token(), source.token(), source.token()]);
    expect(new Set(tokens).size).toBe(1);
    expect(oauth.grants.get("gateway")).toBe(before + 1);
  });

  it("fails a call with -32014 naming the backend, within its timeout, when the token endpoint stops answering", async () => {
    const c = await asCaller("alice");
    try {
      expect(textOf(await c.client.callTool({ name: "flaky__authorization", arguments: {} }))).toMatch(/^Bearer /);
      forwarder.hang = true;
      await new Promise((resolve) => setTimeout(resolve, TTL_SECONDS * 1000 + 200));
      const started = Date.now();
      const error = await refusal(c.client.callTool({ name: "flaky__authorization", arguments: {} }));
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(error).toMatchObject({
        code: -32014,
        message: expect.stringContaining('backend "flaky": its token endpoint'),
        data: expect.objectContaining({ backend: "flaky", reason: "BACKEND_CREDENTIALS" }),
      });
      expect(error.message).toContain("no answer within 500 ms");
      // The other backends keep serving.
      expect(textOf(await c.client.callTool({ name: "cc__authorization", arguments: {} }))).toMatch(/^Bearer /);
    } finally {
      forwarder.hang = false;
      await c.close();
    }
  });
});

describe("token exchange (RFC 8693)", () => {
  it("exchanges each caller's token for one whose audience is the backend, naming the caller as sub and the proxy as act, once per caller", async () => {
    const a = await asCaller("alice");
    const b = await asCaller("bob");
    try {
      const aliceHeader = textOf(await a.client.callTool({ name: "xchg__authorization", arguments: {} }));
      const bobHeader = textOf(await b.client.callTool({ name: "xchg__authorization", arguments: {} }));
      const issuedFor = (header: string) => oauth.exchanges.find((e) => `Bearer ${e.issued.token}` === header);
      expect(issuedFor(aliceHeader)).toMatchObject({ clientId: "gateway-xchg", subjectToken: CANARY.alice, audience: "urn:xchg", issued: { sub: "alice", act: { sub: "gateway-xchg" }, aud: "urn:xchg" } });
      expect(issuedFor(bobHeader)).toMatchObject({ subjectToken: CANARY.bob, issued: { sub: "bob", act: { sub: "gateway-xchg" } } });
      // Cached per caller until it expires: a second call and a second session cost no exchange.
      const exchanges = oauth.exchanges.length;
      expect(textOf(await a.client.callTool({ name: "xchg__authorization", arguments: {} }))).toBe(aliceHeader);
      const again = await asCaller("alice");
      try {
        expect(textOf(await again.client.callTool({ name: "xchg__authorization", arguments: {} }))).toBe(aliceHeader);
      } finally {
        await again.close();
      }
      expect(oauth.exchanges.length).toBe(exchanges);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("is refused by validate on a shared backend, whose one connection carries every caller", async () => {
    const file = writeConfig({
      version: 1,
      backends: { x: { transport: "http", url: "http://127.0.0.1:9/mcp", session: "shared", auth: { type: "tokenExchange", tokenUrl: "http://127.0.0.1:9/token", clientId: "g", clientSecret: { env: "S" }, audience: "x" } } },
    });
    const result = await cli(["validate", "--config", file, "--format", "json"], { env: { S: "some-secret-value" } });
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout).errors).toEqual([{ path: "backends.x.auth", message: expect.stringContaining('needs session: "per-client"') }]);
  });
});

describe("the caller's token", () => {
  it("appears at no backend, in no backend child's environment, and in no log or audit line", async () => {
    const c = await asCaller("bob");
    let childPid: number;
    try {
      await c.client.callTool({ name: "cc__authorization", arguments: {} });
      await c.client.callTool({ name: "xchg__authorization", arguments: {} });
      childPid = Number(textOf(await c.client.callTool({ name: "local__pid", arguments: {} })));
    } finally {
      await c.close();
    }
    // The audit lines of the calls above are written within ~10 ms batches: wait for the last one.
    expect(await waitFor(() => proxy.stderr().includes('"local__pid"'))).toBe(true);
    for (const backend of [...Object.values(backends), sseRecorder]) {
      const seen = JSON.stringify(await headersAt(backend));
      expect(seen).toContain("authorization");
      for (const canary of Object.values(CANARY)) expect(seen).not.toContain(canary);
    }
    const environ = readFileSync(`/proc/${childPid}/environ`, "utf8");
    expect(environ).toContain("PATH=");
    const logs = proxy.stderr();
    expect(logs).toContain('"audit":true');
    for (const secret of [...Object.values(CANARY), ...Object.values(SECRETS)]) {
      expect(environ).not.toContain(secret);
      expect(logs).not.toContain(secret);
    }
  });
});
