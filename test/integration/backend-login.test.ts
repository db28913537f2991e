import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli, REPO_ROOT } from "../support/cli.js";
import { connectClient, startHttpServer, textOf } from "../support/mcp-clients.js";
import { runProxyOnFile, writeConfig } from "../support/proxy-process.js";

const PROTECTED = `${REPO_ROOT}test/support/servers/oauth-protected-server.mjs`;
const TTL_SECONDS = 2;

interface Stats {
  registrations: number;
  codes: number;
  refreshes: number;
  refused: number;
}

let server: { url: string; stop(): void };
let configFile: string;
const stats = async (): Promise<Stats> => (await (await fetch(new URL("/stats", server.url))).json()) as Stats;

/** Runs `mcp-proxy login` as a user would, and plays the browser: opens the printed URL and follows it back to the loopback redirect. */
async function loginDrivingTheBrowser(backend: string): Promise<{ code: number | null; stdout: string; stderr: string; redirectedTo: string }> {
  const child: ChildProcess = spawn(process.execPath, [`${REPO_ROOT}bin/mcp-proxy.js`, "login", backend, "--config", configFile, "--wait", "30"], {
    cwd: dirname(configFile),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  const authorizationUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no authorization URL printed:\n${stdout}\n${stderr}`)), 15_000);
    child.stdout!.on("data", (d: Buffer) => {
      stdout += d.toString();
      const url = /^\s+(http\S+)$/m.exec(stdout)?.[1];
      if (url) {
        clearTimeout(timer);
        resolve(url);
      }
    });
  });
  // A stray hit on the callback first (an old link, another tab): ignored, the login keeps waiting for its own redirect.
  const redirectUri = new URL(authorizationUrl).searchParams.get("redirect_uri")!;
  const stray = await fetch(`${redirectUri}?code=forged-code&state=not-this-login`);
  expect(stray.status).toBe(400);
  expect(await stray.text()).toContain("it was ignored");
  // The browser: the authorization server redirects (approval is automatic here) to the loopback callback.
  const approval = await fetch(authorizationUrl, { redirect: "manual" });
  expect(approval.status).toBe(302);
  const redirectedTo = approval.headers.get("location")!;
  const landing = await fetch(redirectedTo);
  expect(landing.status).toBe(200);
  const code = await exited;
  return { code, stdout, stderr, redirectedTo };
}

beforeAll(async () => {
  server = await startHttpServer(PROTECTED, [String(TTL_SECONDS)]);
  configFile = writeConfig({
    version: 1,
    backends: { remote: { transport: "http", url: server.url, session: "shared", auth: { type: "oauth" } } },
    bindings: [{ transport: "http", port: 0 }],
    limits: { initializeWaitMs: 30_000 },
  });
}, 30_000);

afterAll(() => server?.stop());

describe("a backend that requires OAuth itself", () => {
  it("is refused by start before any login, naming the command that fixes it (validate warns)", async () => {
    const validated = await cli(["validate", "--config", configFile, "--format", "json"]);
    expect(validated.code).toBe(0);
    expect(JSON.parse(validated.stdout).warnings).toEqual([{ path: "backends.remote.auth", message: expect.stringContaining("run `mcp-proxy login remote`") }]);
    expect(await cli(["login", "--config", configFile])).toMatchObject({ code: 2, stderr: expect.stringContaining("login needs the name of a backend") });
    expect(await cli(["login", "nowhere", "--config", configFile])).toMatchObject({ code: 1, stderr: expect.stringContaining('there is no backend "nowhere"') });
    const proxy = await runProxyOnFile(configFile, { waitForUrls: false });
    const code = await new Promise<number | null>((resolve) => proxy.child.once("exit", resolve));
    expect(code).toBe(1);
    expect(proxy.stderr()).toContain('backend "remote" requires OAuth and has no stored login');
    expect(proxy.stderr()).toContain("run `mcp-proxy login remote`");
  });

  it("is logged in by mcp-proxy login: discovery, registration, PKCE through a loopback redirect, tokens stored encrypted", async () => {
    const result = await loginDrivingTheBrowser("remote");
    expect(result.code, result.stderr).toBe(0);
    expect(result.redirectedTo).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback\?code=/);
    expect(result.stdout).toContain('Logged in: the tokens of backend "remote" are stored, encrypted');
    const authorizationUrl = new URL(/^\s+(http\S+)$/m.exec(result.stdout)![1]!);
    expect(authorizationUrl.searchParams.get("code_challenge_method")).toBe("S256");
    expect(authorizationUrl.searchParams.get("resource")).toBe(server.url);
    expect(await stats()).toMatchObject({ registrations: 1, codes: 1 });
    const stateDir = join(dirname(configFile), ".mcp-proxy");
    expect(statSync(join(stateDir, "key")).mode & 0o777).toBe(0o600);
    expect(statSync(join(stateDir, "oauth-remote.json")).mode & 0o777).toBe(0o600);
    const stored = readFileSync(join(stateDir, "oauth-remote.json"), "utf8");
    expect(stored).not.toContain("access_token");
    expect(stored).not.toContain("refresh_token");
  });

  it("is reached by the proxy with the stored token, which it refreshes once expired", async () => {
    const proxy = await runProxyOnFile(configFile);
    try {
      const c = await connectClient("http", { url: proxy.url });
      try {
        expect(textOf(await c.client.callTool({ name: "remote__whoami", arguments: {} }))).toMatch(/^client [0-9a-f-]{36}$/);
        const before = await stats();
        await new Promise((resolve) => setTimeout(resolve, TTL_SECONDS * 1000 + 300));
        expect(textOf(await c.client.callTool({ name: "remote__whoami", arguments: {} }))).toMatch(/^client /);
        const after = await stats();
        expect(after.refreshes).toBeGreaterThan(before.refreshes);
        expect(after.registrations).toBe(1);
      } finally {
        await c.close();
      }
    } finally {
      await proxy.stop();
    }
    // The refreshed tokens were stored: a new process starts on them without a new login.
    const again = await runProxyOnFile(configFile);
    try {
      const c = await connectClient("http", { url: again.url });
      expect(textOf(await c.client.callTool({ name: "remote__whoami", arguments: {} }))).toMatch(/^client /);
      await c.close();
    } finally {
      await again.stop();
    }
  });
});
