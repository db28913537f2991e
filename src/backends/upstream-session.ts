import { Client, type JSONRPCRequest, type Result, SdkErrorCode, StreamableHTTPClientTransport, type Transport } from "@modelcontextprotocol/client";
import type { Cancellation } from "../core/cancellation.js";
import { type Freshness, freshnessOf } from "../core/freshness.js";
import { ProxyError, WireError } from "../core/errors.js";
import type { SkippedLine } from "../core/json-lines.js";
import type { BackendSpec } from "./backend-spec.js";
import { createBackendTransport } from "./client-transport.js";
import type { CredentialSource } from "./credentials/types.js";
import { excerptOf } from "./json-rpc-message.js";
import { BackendRpcError, PendingRequests } from "./pending-requests.js";
import { ProblemLog } from "./problem-log.js";
import { scrubberFor } from "./secret-scrubber.js";
import { classifyFailure } from "./upstream-failure.js";
import { ParamHeaderBook, priorVerdict, rememberVerdict, versionNegotiationFor, withEnvelope } from "./modern-upstream.js";
import { listChangesOffered, UpstreamListen } from "./upstream-listen.js";
import { META } from "../core/era.js";

/** Longest wait for a modern backend to acknowledge a subscriptions/listen stream. */
const LISTEN_ACK_MS = 5_000;

/** Protocol versions of the legacy era (an initialize handshake); anything newer is modern. */
const SUPPORTED_LEGACY: ReadonlySet<string> = new Set(["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"]);

export interface UpstreamEvents {
  /** A notification from the backend other than progress (which goes to the request that asked for it). */
  notification(method: string, params: Record<string, unknown> | undefined): void;
  /** A server→client request (sampling, elicitation, roots) to answer on the client's behalf. */
  request(request: JSONRPCRequest, signal: AbortSignal): Promise<Result>;
  /** The connection ended without us closing it (process died, server went away). */
  closed(reason: string): void;
  stderr(line: string): void;
  /**
   * A protocol problem worth a log line (a message that is not JSON-RPC, one over the size
   * limit); already rate-limited and scrubbed of the backend's credentials. Without this
   * handler such lines go to `stderr`.
   */
  problem?(line: string): void;
}

export interface InitializeInfo {
  readonly protocolVersion: string;
  readonly capabilities: Record<string, unknown>;
  readonly serverInfo: Record<string, unknown>;
  readonly instructions: string | undefined;
  /** A modern backend's promise about its server/discover result (absent for a legacy one: it promises nothing). */
  readonly freshness?: Freshness;
}

export interface CallOptions {
  readonly cancellation?: Cancellation;
  readonly onProgress?: (params: Record<string, unknown>) => void;
}

/** One MCP session with one backend, over any transport, forwarding payloads untouched. */
export class UpstreamSession {
  readonly #client: Client;
  readonly #progress = new Map<string, (params: Record<string, unknown>) => void>();
  #nextToken = 0;
  #closing = false;
  #info: InitializeInfo | undefined;
  #pending: PendingRequests | undefined;
  #transport: Transport | undefined;
  /** Set when the backend speaks 2026-07-28: every request then carries the envelope of the client below. */
  #modern: { readonly clientInfo: unknown; readonly capabilities: unknown } | undefined;
  /** A modern HTTP backend's x-mcp-header marks, for the Mcp-Param-* headers of calls to it. */
  readonly #paramHeaders = new ParamHeaderBook();
  /** A modern backend's subscriptions/listen stream: its list changes and the URIs subscribed through this session. */
  #listen: UpstreamListen | undefined;
  readonly #clientInfo: { name: string; version: string };
  readonly #clientCapabilities: Record<string, unknown>;
  #lost = false;
  /** Set while connect() waits for the handshake: close() ends that wait. */
  #abandonConnect: ((reason: Error) => void) | undefined;
  /** Removes this backend's credentials from anything headed for a client or the log. */
  readonly #scrub: (text: string) => string;
  readonly #problemLog: ProblemLog;

  constructor(
    readonly backend: BackendSpec,
    clientInfo: { name: string; version: string },
    clientCapabilities: Record<string, unknown>,
    private readonly events: UpstreamEvents,
    /** Where the backend's bearer token comes from, for a backend with `auth`. */
    private readonly credentials?: CredentialSource,
  ) {
    const scrubConfigured = scrubberFor(backend);
    // Tokens from the credential broker change over time: masked as they are at the moment of scrubbing.
    this.#scrub = credentials ? (text) => maskTokens(scrubConfigured(text), credentials.recent()) : scrubConfigured;
    this.#problemLog = ProblemLog.forBackend(backend.name);
    this.#clientInfo = clientInfo;
    this.#clientCapabilities = clientCapabilities;
    const negotiation = versionNegotiationFor(backend.era, backend.timeouts.startupMs);
    this.#client = new Client(clientInfo as never, { capabilities: clientCapabilities as never, ...(negotiation ? { versionNegotiation: negotiation } : {}) });
    // Transport errors (a body that is not JSON-RPC, a refused POST) were silent; now bounded log lines.
    this.#client.onerror = (error) => this.#problem(`transport error: ${this.#describe(error)}`);
    this.#client.fallbackRequestHandler = async (request, ctx) => {
      const pending = this.#pending;
      pending?.suspendTimers();
      try {
        return await this.events.request(request, ctx.mcpReq.signal);
      } catch (error) {
        // The backend gets the same code and message a client would: our table, or the client's own error.
        throw WireError.from(error);
      } finally {
        pending?.resumeTimers();
      }
    };
    this.#client.fallbackNotificationHandler = async (n) => this.events.notification(n.method, withoutSubscriptionId(n.params as Record<string, unknown> | undefined));
    // Our own progress handler: tokens are minted per upstream request, so two clients on a
    // shared session never see each other's progress, and none is dropped as "unknown".
    this.#client.setNotificationHandler("notifications/progress", (n) => {
      const params = n.params as Record<string, unknown>;
      const token = String(params.progressToken);
      this.#pending?.touch(token);
      this.#progress.get(token)?.(params);
    });
  }

  /** Whether the backend speaks 2026-07-28 (asks by input_required results, never by requests of its own). */
  get modern(): boolean {
    return this.#modern !== undefined;
  }

  get info(): InitializeInfo {
    if (!this.#info) throw new Error(`backend ${this.backend.name} is not connected`);
    return this.#info;
  }

  /** Connects and initializes within the backend's start-up timeout. */
  async connect(): Promise<InitializeInfo> {
    const transport = createBackendTransport(this.backend, {
      stderr: (line) => this.events.stderr(this.#scrub(line)),
      invalid: (message) => this.#onInvalid(message),
      oversized: (line) => this.#onOversized(line),
      warning: (line) => this.#problem(line),
    }, this.credentials);
    this.#transport = transport;
    let rawInit: Record<string, unknown> | undefined;
    // The SDK's parsed capabilities drop keys it does not know; keep the backend's own words.
    transport.onmessage = (message) => {
      const result = (message as { result?: Record<string, unknown> }).result;
      if (!rawInit && result && typeof result.protocolVersion === "string") rawInit = result;
    };
    this.#client.onclose = () => this.#lose("connection closed");
    // The SDK's connect never settles once the client is closed during the handshake (its
    // start-up timeout goes with it): close() must end this wait, or the caller waits forever.
    const abandoned = new Promise<never>((_, reject) => (this.#abandonConnect = reject));
    const prior = this.backend.era === "auto" ? priorVerdict(this.backend) : {};
    const askedAt = Date.now();
    const connecting = this.#client.connect(transport, { timeout: this.backend.timeouts.startupMs, ...prior });
    connecting.catch(() => undefined);
    try {
      await Promise.race([connecting, abandoned]);
    } catch (error) {
      this.#closing = true;
      await this.#client.close().catch(() => undefined);
      // Our stdio transport is probed in place: a legacy server that exits on the unknown
      // server/discover would fail every restart. It is legacy: the next start says initialize.
      if (this.backend.era === "auto" && this.backend.transport === "stdio" && (error as { code?: unknown } | null)?.code === SdkErrorCode.EraNegotiationFailed) rememberVerdict(this.backend, undefined);
      const failure = classifyFailure(error, this.backend.name, this.#scrub);
      if (failure.kind === "request" && failure.error.code === "BACKEND_CREDENTIALS") throw failure.error;
      throw new ProxyError("BACKEND_UNAVAILABLE", `backend "${this.backend.name}" failed to start: ${this.#describe(error)}`, {
        backend: this.backend.name,
      });
    } finally {
      this.#abandonConnect = undefined;
    }
    // From here on our own requests bypass the SDK client's bookkeeping; it keeps everything else.
    const pending = new PendingRequests(transport);
    const sdkOnMessage = transport.onmessage;
    transport.onmessage = (message, extra) => {
      if (!pending.settle(message)) sdkOnMessage?.(message, extra);
    };
    this.#pending = pending;
    const negotiated = this.#client.getNegotiatedProtocolVersion();
    // A modern backend's server/discover answer stands for initialize's (the SDK keeps it unparsed enough: capabilities, instructions, serverInfo).
    const discovered = this.#client.getDiscoverResult() as Record<string, unknown> | undefined;
    let freshness: Freshness | undefined;
    if (this.backend.era === "auto" || this.backend.era === "modern") {
      const modern = negotiated !== undefined && !SUPPORTED_LEGACY.has(negotiated);
      if (this.backend.era === "auto" && (discovered || !modern)) rememberVerdict(this.backend, modern ? discovered : undefined);
      if (modern) {
        this.#modern = { clientInfo: this.#clientInfo, capabilities: this.#clientCapabilities };
        const meta = (discovered?._meta ?? {}) as Record<string, unknown>;
        rawInit = { protocolVersion: negotiated, capabilities: discovered?.capabilities, serverInfo: meta["io.modelcontextprotocol/serverInfo"], instructions: discovered?.instructions };
        // A discover result reused from the process's verdict was answered long ago: its time promise is not renewed, its scope stands.
        if (discovered) freshness = "prior" in prior ? { ...freshnessOf(discovered, askedAt), freshUntil: 0 } : freshnessOf(discovered, askedAt);
      }
    }
    if (this.#modern) await this.#startListening();
    this.#info = {
      protocolVersion: String(rawInit?.protocolVersion ?? this.#client.getNegotiatedProtocolVersion()),
      capabilities: (rawInit?.capabilities as Record<string, unknown>) ?? {},
      serverInfo: (rawInit?.serverInfo as Record<string, unknown>) ?? {},
      instructions: typeof rawInit?.instructions === "string" ? rawInit.instructions : undefined,
      ...(freshness ? { freshness } : {}),
    };
    return this.#info;
  }

  /** Sends a request and returns the backend's result exactly as sent; errors keep their code and message. */
  async request(method: string, params: Record<string, unknown> | undefined, options: CallOptions = {}): Promise<Result> {
    let token: string | undefined;
    let outgoing = params;
    if (options.onProgress) {
      token = `${this.backend.name}-${++this.#nextToken}`;
      this.#progress.set(token, options.onProgress);
      outgoing = { ...params, _meta: { ...(params?._meta as object | undefined), progressToken: token } };
    }
    const pending = this.#pending;
    if (!pending) throw this.#unavailable("not connected");
    if (this.#modern && (method === "resources/subscribe" || method === "resources/unsubscribe")) return this.#subscribeByListen(method, params);
    if (this.#modern) outgoing = withEnvelope(outgoing, this.#modern.clientInfo, this.#modern.capabilities);
    const overHttp = this.#modern !== undefined && this.#transport instanceof StreamableHTTPClientTransport;
    const headers = overHttp && method === "tools/call" ? this.#paramHeaders.headersFor(params) : undefined;
    const send = (body: Record<string, unknown> | undefined) => pending.send(method, body, {
        cancellation: options.cancellation,
        headers,
        timeoutMs: this.backend.timeouts.callMs,
        progressToken: token,
        onTimeout: () =>
          new ProxyError("BACKEND_TIMEOUT", `backend "${this.backend.name}" did not answer ${method} within ${this.backend.timeouts.callMs} ms`, {
            backend: this.backend.name,
          }),
      });
    try {
      const result = await send(outgoing);
      if (overHttp && method === "tools/list") this.#paramHeaders.learn(result);
      // A modern backend's input_required is returned as it is, never answered here: its client's
      // session answers it and retries through the pipeline, so no retry reaches the backend unchecked.
      return result;
    } catch (error) {
      throw this.#translate(error);
    } finally {
      // A final progress notification can arrive in the same read as the response.
      if (token) setImmediate(() => this.#progress.delete(token));
    }
  }

  async notify(method: string, params?: Record<string, unknown>): Promise<void> {
    await this.#client.notification({ method, params } as never);
  }

  /** Every page of a list, in the backend's order; `onPage` sees each page's whole result (its cache promise). */
  async listAll(method: string, key: string, onPage?: (result: Record<string, unknown>, askedAt: number) => void): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 1000; page++) {
      const askedAt = Date.now();
      const result = (await this.request(method, cursor === undefined ? {} : { cursor })) as Record<string, unknown>;
      onPage?.(result, askedAt);
      items.push(...((result[key] as Record<string, unknown>[] | undefined) ?? []));
      cursor = typeof result.nextCursor === "string" && result.nextCursor !== "" ? result.nextCursor : undefined;
      if (cursor === undefined) return items;
    }
    throw new ProxyError("BACKEND_UNAVAILABLE", `backend "${this.backend.name}" paginates ${method} without end`, { backend: this.backend.name });
  }

  async close(): Promise<void> {
    this.#closing = true;
    this.#abandonConnect?.(new Error("closed while connecting"));
    this.#listen?.close();
    // An HTTP backend keeps a session until told: end it rather than leave it to expire there.
    if (this.#transport instanceof StreamableHTTPClientTransport && this.#transport.sessionId) {
      await this.#transport.terminateSession().catch(() => undefined);
    }
    await this.#client.close().catch(() => undefined);
  }

  /**
   * A backend's own JSON-RPC error passes unchanged; a proxy error (timeout) as it is; a
   * failure of this one request (it could not be serialised, the answer was not JSON-RPC, the
   * backend refused our credentials) fails it alone. Any other failure means the connection
   * itself failed (an HTTP backend restarted and forgot our session, a network error): the
   * session is lost and is restarted like a dead child.
   */
  #translate(error: unknown): unknown {
    if (error instanceof BackendRpcError) return this.#scrubRpcError(error);
    if (error instanceof ProxyError) return error;
    const failure = classifyFailure(error, this.backend.name, this.#scrub);
    if (failure.kind === "request") return failure.error;
    if (this.#info) this.#lose(failure.reason);
    return this.#unavailable(failure.reason);
  }

  /**
   * 2026-07-28 has no session to notify unasked: list changes and resource updates come on a
   * subscriptions/listen stream, opened once connected for the list changes the backend offers.
   * A stream that cannot be opened costs the notifications, not the session.
   */
  async #startListening(): Promise<void> {
    const capabilities = (this.#client.getDiscoverResult() as { capabilities?: Record<string, unknown> } | undefined)?.capabilities ?? {};
    // The acknowledgement is awaited (a change right after start is not lost), but briefly: a backend slow to acknowledge costs its notifications, not its start.
    const ackMs = Math.min(LISTEN_ACK_MS, this.backend.timeouts.startupMs);
    this.#listen = new UpstreamListen(this.#client, listChangesOffered(capabilities), ackMs, (line) => this.#problem(line));
    await this.#listen.start().catch((error: unknown) => this.#problem(`could not open a subscriptions/listen stream: ${this.#describe(error)}`));
  }

  /** A modern backend has no resources/subscribe: the URI goes onto the listen stream's filter instead. */
  async #subscribeByListen(method: string, params: Record<string, unknown> | undefined): Promise<Result> {
    const listen = this.#listen;
    const uri = params?.uri;
    const offered = ((this.#info?.capabilities.resources as { subscribe?: unknown } | undefined)?.subscribe) === true;
    if (!listen || typeof uri !== "string" || !offered) {
      throw new ProxyError("METHOD_NOT_FOUND", `backend "${this.backend.name}" does not offer resource subscriptions`, { backend: this.backend.name });
    }
    let honored = true;
    try {
      if (method === "resources/subscribe") honored = await listen.subscribe(uri);
      else await listen.unsubscribe(uri);
    } catch (error) {
      // The stream failed, not the session: this request fails alone.
      throw error instanceof ProxyError ? error : this.#unavailable(`subscriptions/listen failed: ${this.#describe(error)}`);
    }
    if (!honored) throw new ProxyError("METHOD_NOT_FOUND", `backend "${this.backend.name}" declined to subscribe to ${uri}`, { backend: this.backend.name });
    return {};
  }

  /**
   * A backend's own error keeps its code, message and data, except for the backend's own
   * credentials, which a careless server may echo (an error path only: the cost is fine).
   */
  #scrubRpcError(error: BackendRpcError): BackendRpcError {
    const message = this.#scrub(error.message);
    if (error.data === undefined) return message === error.message ? error : new BackendRpcError(error.code, message);
    let data = error.data;
    try {
      const raw = JSON.stringify(error.data);
      const scrubbed = this.#scrub(raw);
      if (scrubbed !== raw) data = JSON.parse(scrubbed);
    } catch {
      data = "[data withheld: it could not be checked for credentials]";
    }
    if (message === error.message && data === error.data) return error;
    return new BackendRpcError(error.code, message, data);
  }

  /** One rate-limited log line, through the session's problem channel (its stderr one when it has none). */
  #problem(line: string): void {
    this.#problemLog.report(line, (text) => (this.events.problem ? this.events.problem(text) : this.events.stderr(text)));
  }

  /** A short description of a transport error, without any HTTP body and without credentials. */
  #describe(error: unknown): string {
    const failure = classifyFailure(error, this.backend.name, this.#scrub);
    return failure.kind === "request" ? failure.error.message : failure.reason;
  }

  /** Dropped already; logged, and if it carried the id of a request of ours, that request fails now rather than timing out. */
  #onInvalid(message: unknown): void {
    const what = typeof message === "string" ? "a line that is not JSON" : "a message that is not JSON-RPC";
    this.#problem(this.#scrub(`dropped ${what}: ${excerptOf(message)}`));
    const id = (message as { id?: unknown } | null)?.id;
    if (typeof id === "string") {
      this.#pending?.fail(id, new ProxyError("BACKEND_INVALID_MESSAGE", `backend "${this.backend.name}" answered with a message that is not JSON-RPC`, { backend: this.backend.name }));
    }
  }

  /** Skipped already; the request it answered (when its id could be seen) fails naming the size. */
  #onOversized(line: SkippedLine): void {
    const limit = this.backend.maxMessageBytes;
    this.#problem(`skipped a message of ${line.bytes} bytes, over maxMessageBytes (${limit})`);
    const id = lastRequestId(line.tail) ?? lastRequestId(line.head);
    if (id === undefined) return;
    const error = new ProxyError(
      "BACKEND_MESSAGE_TOO_LARGE",
      `backend "${this.backend.name}" answered with a message of ${line.bytes} bytes, over its limit of ${limit} bytes (maxMessageBytes)`,
      { backend: this.backend.name, bytes: line.bytes, limit },
    );
    this.#pending?.fail(id, error);
  }

  /** The connection is gone for good: fail what waits on it, tell the session once, let it go. */
  #lose(reason: string): void {
    if (this.#lost) return;
    this.#lost = true;
    this.#pending?.failAll(this.#unavailable(reason));
    if (this.#closing) return;
    this.events.closed(reason);
    void this.close();
  }

  #unavailable(reason: string): ProxyError {
    return new ProxyError("BACKEND_UNAVAILABLE", `backend "${this.backend.name}" is unavailable: ${reason}`, { backend: this.backend.name });
  }
}

/**
 * The id of one of our requests in an edge of a message too large to parse. Our ids ("gw-N")
 * only appear unescaped at the message's top level: inside a string their quotes are escaped.
 */
function lastRequestId(edge: string): string | undefined {
  const ids = [...edge.matchAll(/(?<!\\)"id"\s*:\s*"(gw-\d+)"/g)];
  return ids.at(-1)?.[1];
}

/** The backend's listen stream is ours, not the client's: its subscription id must not reach clients. */
function withoutSubscriptionId(params: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  const meta = params?._meta as Record<string, unknown> | undefined;
  if (!meta || !(META.subscriptionId in meta)) return params;
  const { [META.subscriptionId]: _dropped, ...rest } = meta;
  const { _meta: _old, ...others } = params!;
  return Object.keys(rest).length > 0 ? { ...others, _meta: rest } : others;
}

function maskTokens(text: string, tokens: readonly string[]): string {
  return tokens.reduce((out, token) => (token.length >= 6 ? out.split(token).join("[redacted]") : out), text);
}
