import { createServer, type Server } from "node:http";
import { auth } from "@modelcontextprotocol/client";
import { type LoginRecord, TokenStore } from "../backends/credentials/index.js";
import type { ResolvedConfig, ResolvedRemoteBackend } from "../config/index.js";
import { LoginProvider } from "./login-provider.js";

const CALLBACK_PATH = "/callback";

export interface LoginOptions {
  readonly config: ResolvedConfig;
  readonly backend: string;
  /** Where the authorization URL and progress go (the command's stdout). */
  readonly say: (line: string) => void;
  /** How long to wait for the browser to come back to the loopback redirect. */
  readonly waitMs: number;
}

/** A login that cannot go on; the message says why, without any token. */
export class LoginError extends Error {
  override name = "LoginError";
}

/**
 * `mcp-proxy login BACKEND` for a backend that follows the MCP authorization spec: discovery
 * (RFC 9728 protected resource metadata, then RFC 8414 authorization server metadata),
 * dynamic client registration (RFC 7591), authorization code with PKCE S256 through a
 * redirect to a loopback listener that lives only for this login. It prints the URL to open
 * and opens nothing itself. The tokens are then stored encrypted in the state folder.
 */
export async function loginBackend(options: LoginOptions): Promise<{ readonly file: string }> {
  const backend = loginBackendOf(options.config, options.backend);
  const scope = backend.auth?.type === "oauth" ? backend.auth.scope : undefined;
  const timeoutMs = backend.auth?.timeoutMs ?? 10_000;
  const fetchFn = (url: string | URL, init?: RequestInit) => fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  let provider: LoginProvider | undefined;
  const callback = await listenForCallback(() => provider?.expectedState);
  try {
    provider = new LoginProvider(callback.url, scope, (url) => {
      options.say(`Open this URL in a browser to let the gateway reach backend "${backend.name}":\n\n  ${url.href}\n\n`);
      options.say(`Waiting up to ${Math.round(options.waitMs / 1000)} s for the browser to return to ${callback.url} …\n`);
    });
    const first = await auth(provider, { serverUrl: backend.url, fetchFn, ...(scope ? { scope } : {}) }).catch((error: unknown) => {
      throw new LoginError(`discovery or registration with backend "${backend.name}" failed: ${describe(error)}`);
    });
    if (first !== "REDIRECT") throw new LoginError(`backend "${backend.name}" issued tokens without an authorization step; nothing to log in to`);
    const answer = await callback.next(options.waitMs);
    if (answer.error) throw new LoginError(`the authorization server refused: ${answer.error}`);
    if (!answer.code) throw new LoginError("the redirect carried no authorization code");
    await auth(provider, { serverUrl: backend.url, authorizationCode: answer.code, fetchFn, ...(answer.iss ? { iss: answer.iss } : {}), ...(scope ? { scope } : {}) }).catch(
      (error: unknown) => {
        throw new LoginError(`exchanging the authorization code failed: ${describe(error)}`);
      },
    );
    const tokens = provider.tokens();
    const client = provider.clientInformation();
    const discovery = provider.discoveryState();
    if (!tokens || !client || !discovery) throw new LoginError("the authorization server answered without tokens");
    const record: LoginRecord = {
      serverUrl: backend.url,
      authorizationServerUrl: String(discovery.authorizationServerUrl),
      authorizationServerMetadata: discovery.authorizationServerMetadata as Record<string, unknown> | undefined,
      clientInformation: client as LoginRecord["clientInformation"],
      resource: provider.resource,
      tokens: { ...tokens, obtainedAt: Date.now() },
    };
    const store = new TokenStore(options.config.state.dir, options.config.state.key);
    store.write(backend.name, record);
    return { file: store.dir };
  } finally {
    await callback.close();
  }
}

/**
 * Why `start` cannot serve a backend that needs a login: none stored, or one it cannot use.
 * One message per backend, each naming `mcp-proxy login BACKEND`.
 */
export function loginProblems(config: ResolvedConfig): Array<{ readonly backend: string; readonly message: string }> {
  const store = new TokenStore(config.state.dir, config.state.key);
  const problems: Array<{ backend: string; message: string }> = [];
  for (const backend of Object.values(config.backends)) {
    if (!backend.enabled || backend.transport === "stdio" || backend.auth?.type !== "oauth") continue;
    let record: LoginRecord | undefined;
    try {
      record = store.read<LoginRecord>(backend.name);
    } catch (error) {
      problems.push({ backend: backend.name, message: `backend "${backend.name}": ${(error as Error).message}; run \`mcp-proxy login ${backend.name}\`` });
      continue;
    }
    const message = !record
      ? `backend "${backend.name}" requires OAuth and has no stored login in ${store.dir}; run \`mcp-proxy login ${backend.name}\``
      : record.serverUrl !== backend.url
        ? `backend "${backend.name}": the stored login is for ${record.serverUrl}, not ${backend.url}; run \`mcp-proxy login ${backend.name}\``
        : undefined;
    if (message) problems.push({ backend: backend.name, message });
  }
  return problems;
}

function loginBackendOf(config: ResolvedConfig, name: string): ResolvedRemoteBackend {
  const backend = config.backends[name];
  if (!backend) throw new LoginError(`there is no backend "${name}" in ${config.file ?? "the config"} (backends: ${Object.keys(config.backends).join(", ")})`);
  if (backend.transport === "stdio" || backend.auth?.type !== "oauth") throw new LoginError(`backend "${name}" does not use auth: { type: "oauth" }; login is for backends that require OAuth themselves`);
  return backend;
}

interface CallbackAnswer {
  readonly code: string | undefined;
  readonly error: string | undefined;
  readonly iss: string | undefined;
}

/**
 * A listener on 127.0.0.1 (a free port) for the one redirect this login expects (RFC 8252 §7.3).
 * Only a redirect carrying this login's state ends the wait: any other request to the callback
 * (an old link, a second tab, another local program) is answered 400 and ignored, so it can
 * neither stand in for the real answer nor cut the login short.
 */
async function listenForCallback(expectedState: () => string | undefined): Promise<{ url: string; next(waitMs: number): Promise<CallbackAnswer>; close(): Promise<void> }> {
  let deliver: ((answer: CallbackAnswer) => void) | undefined;
  const answered = new Promise<CallbackAnswer>((resolve) => (deliver = resolve));
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (req.method !== "GET" || url.pathname !== CALLBACK_PATH) return void res.writeHead(404).end();
    const read = (name: string) => url.searchParams.get(name) ?? undefined;
    const state = read("state");
    if (state === undefined || state !== expectedState()) {
      res.writeHead(400, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" });
      return void res.end("This link is not for the login that is waiting (its state does not match); it was ignored.\n");
    }
    const error = read("error");
    res.writeHead(200, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" });
    res.end(error ? "The authorization was refused. You can close this window.\n" : "mcp-proxy received the authorization. You can close this window.\n");
    // Only a short, standard error code is kept: a description could carry anything.
    deliver?.({ code: read("code"), error: error && /^[a-z_]{1,64}$/.test(error) ? error : error ? "error" : undefined, iss: read("iss") });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}${CALLBACK_PATH}`,
    async next(waitMs) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new LoginError(`no redirect came back within ${Math.round(waitMs / 1000)} s; run login again`)), waitMs);
      });
      try {
        return await Promise.race([answered, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** An SDK error as a short reason: its OAuth error code or class, and its message without any token. */
function describe(error: unknown): string {
  const e = error as { code?: unknown; name?: unknown; message?: unknown };
  const code = typeof e?.code === "string" ? `${e.code}: ` : "";
  const message = typeof e?.message === "string" ? e.message.slice(0, 300) : String(error);
  return `${code}${message}`;
}
