import type { JSONRPCRequest, RequestId, Result } from "@modelcontextprotocol/server";
import type { Cancellation } from "../core/cancellation.js";
import { ProxyError } from "../core/errors.js";
import type { UpstreamSession } from "../backends/upstream-session.js";
import type { GatewaySession } from "./gateway-session.js";
import { ownerOfUri, type Route } from "./surface.js";

type Params = Record<string, unknown>;

/** The one client request being served: its id (to relate streams) and its cancellation. */
export interface Call {
  readonly id: RequestId;
  readonly cancellation: Cancellation;
}

/** Methods answered by the router; everything else (initialize, ping) is the SDK server's. */
export const ROUTED_METHODS: ReadonlySet<string> = new Set([
  "tools/list", "prompts/list", "resources/list", "resources/templates/list", "tools/call", "prompts/get",
  "resources/read", "resources/subscribe", "resources/unsubscribe", "completion/complete", "logging/setLevel",
  "tasks/get", "tasks/result", "tasks/cancel", "tasks/list",
]);

/** Task ids are namespaced `backend/taskId`: two backends may both issue task "1". */
const TASK_SEPARATOR = "/";

/**
 * Routes one client request to the backend that owns its target and maps names on the
 * way in and task ids on the way out. Lists are answered from the merged surface.
 */
export class RequestRouter {
  /** What the client asked of backends that a new upstream session must be told again. */
  readonly #subscriptions = new Map<string, string>();
  #logLevel: Params | undefined;

  constructor(private readonly session: GatewaySession) {}

  /**
   * A backend's upstream session was replaced (restart, idle reconnect): it knows nothing of
   * this client, so the client's subscriptions and log level are set on it again.
   */
  async restore(upstream: UpstreamSession): Promise<void> {
    const backend = upstream.backend.name;
    const calls: Promise<unknown>[] = [];
    if (this.#logLevel && upstream.info.capabilities.logging) calls.push(upstream.request("logging/setLevel", this.#logLevel));
    for (const [uri, owner] of this.#subscriptions) if (owner === backend) calls.push(upstream.request("resources/subscribe", { uri }));
    await Promise.allSettled(calls);
  }

  async handle(request: JSONRPCRequest, ctx: Call): Promise<Result> {
    const params = (request.params ?? {}) as Params;
    const surface = this.session.surface;
    switch (request.method) {
      case "tools/list":
        return this.#page(params, { tools: surface.tools });
      case "prompts/list":
        return this.#page(params, { prompts: surface.prompts });
      case "resources/list":
        return this.#page(params, { resources: surface.resources });
      case "resources/templates/list":
        return this.#page(params, { resourceTemplates: surface.resourceTemplates });
      case "tools/call": {
        const route = this.#route("tool", String(params.name), surface.toolRoutes, this.session.fullSurface.toolRoutes);
        const result = await this.#forward(route.backend, request.method, { ...params, name: route.original }, ctx);
        return this.#mapTaskResult(route.backend, result);
      }
      case "prompts/get": {
        const route = this.#route("prompt", String(params.name), surface.promptRoutes, this.session.fullSurface.promptRoutes);
        return this.#forward(route.backend, request.method, { ...params, name: route.original }, ctx);
      }
      case "resources/read":
        return this.#forward(this.#ownerOf(String(params.uri)), request.method, params, ctx);
      case "resources/subscribe":
      case "resources/unsubscribe": {
        const uri = String(params.uri);
        const backend = this.#ownerOf(uri);
        const result = await this.#forward(backend, request.method, params, ctx);
        if (request.method === "resources/subscribe") this.#subscriptions.set(uri, backend);
        else this.#subscriptions.delete(uri);
        return result;
      }
      case "completion/complete":
        return this.#complete(params, ctx);
      case "logging/setLevel":
        this.#logLevel = params;
        await Promise.all(this.session.upstreams().filter((u) => u.info.capabilities.logging).map((u) => u.request(request.method, params)));
        return {};
      case "tasks/get":
      case "tasks/result":
      case "tasks/cancel": {
        const [backend, taskId] = this.#splitTaskId(params.taskId);
        const result = await this.#forward(backend, request.method, { ...params, taskId }, ctx);
        return request.method === "tasks/result" ? result : this.#mapTask(backend, result as Params);
      }
      case "tasks/list":
        return this.#listTasks(params);
      default:
        throw new ProxyError("METHOD_NOT_FOUND", `Method not found: ${request.method}`);
    }
  }

  /** Lists are merged eagerly, so there is one page; any cursor a client sends is one we never issued. */
  #page(params: Params, result: Result): Result {
    if (params.cursor !== undefined) throw new ProxyError("INVALID_CURSOR", `Invalid or stale cursor: ${JSON.stringify(params.cursor)}`);
    return result;
  }

  #route(kind: "tool" | "prompt", name: string, live: ReadonlyMap<string, Route>, all: ReadonlyMap<string, Route>): Route {
    const route = live.get(name);
    if (route) return route;
    const down = all.get(name);
    if (down) throw new ProxyError("BACKEND_UNAVAILABLE", `backend "${down.backend}" that serves ${kind} "${name}" is unavailable; it is being restarted`, { backend: down.backend });
    // A backend this session never reached (start-up failed, session cap) has no listing, but
    // its namespace still says whose the name would be.
    const absent = this.session.absentBackendFor(name);
    if (absent) throw new ProxyError("BACKEND_UNAVAILABLE", `backend "${absent}" that would serve ${kind} "${name}" is unavailable`, { backend: absent });
    throw new ProxyError(kind === "tool" ? "UNKNOWN_TOOL" : "UNKNOWN_PROMPT", `Unknown ${kind}: ${name}`);
  }

  #ownerOf(uri: string): string {
    const owner = ownerOfUri(this.session.surface, uri) ?? ownerOfUri(this.session.fullSurface, uri);
    if (!owner) throw new ProxyError("UNKNOWN_RESOURCE", `Resource not found: ${uri}`, { uri });
    return owner;
  }

  async #forward(backend: string, method: string, params: Params, ctx: Call): Promise<Result> {
    const upstream = await this.session.upstreamFor(backend);
    const clientToken = (params._meta as Params | undefined)?.progressToken;
    const onProgress =
      clientToken === undefined
        ? undefined
        : (progress: Params) =>
            void this.session.server
              .notification({ method: "notifications/progress", params: { ...progress, progressToken: clientToken } } as never, { relatedRequestId: ctx.id })
              .catch(() => undefined);
    return this.session.track(backend, ctx.id, upstream.request(method, params, { cancellation: ctx.cancellation, onProgress }));
  }

  async #complete(params: Params, ctx: Call): Promise<Result> {
    const ref = (params.ref ?? {}) as Params;
    if (ref.type === "ref/prompt") {
      const route = this.#route("prompt", String(ref.name), this.session.surface.promptRoutes, this.session.fullSurface.promptRoutes);
      return this.#forward(route.backend, "completion/complete", { ...params, ref: { ...ref, name: route.original } }, ctx);
    }
    const uri = String(ref.uri);
    const owner = this.session.surface.templateOwners.find((t) => t.uriTemplate === uri)?.backend ?? this.#ownerOf(uri);
    return this.#forward(owner, "completion/complete", params, ctx);
  }

  #splitTaskId(taskId: unknown): [string, string] {
    const id = String(taskId);
    const at = id.indexOf(TASK_SEPARATOR);
    if (at <= 0 || !this.session.hasBackend(id.slice(0, at))) throw new ProxyError("INVALID_PARAMS", `Unknown task: ${id}`);
    return [id.slice(0, at), id.slice(at + 1)];
  }

  #mapTask(backend: string, task: Params): Params {
    return typeof task.taskId === "string" ? { ...task, taskId: `${backend}${TASK_SEPARATOR}${task.taskId}` } : task;
  }

  #mapTaskResult(backend: string, result: Result): Result {
    const task = (result as Params).task as Params | undefined;
    return task && typeof task.taskId === "string" ? { ...result, task: this.#mapTask(backend, task) } : result;
  }

  async #listTasks(params: Params): Promise<Result> {
    if (params.cursor !== undefined) throw new ProxyError("INVALID_CURSOR", `Invalid or stale cursor: ${JSON.stringify(params.cursor)}`);
    const upstreams = this.session.upstreams().filter((u) => (u.info.capabilities.tasks as Params | undefined)?.list !== undefined);
    const lists = await Promise.all(
      upstreams.map(async (u) => ((await u.listAll("tasks/list", "tasks")) as Params[]).map((t) => this.#mapTask(u.backend.name, t))),
    );
    return { tasks: lists.flat() };
  }

  /** Notifications from a backend, with its task ids namespaced like everything else it sends. */
  mapNotification(backend: string, method: string, params: Params | undefined): Params | undefined {
    if (method === "notifications/tasks/status" && params) return this.#mapTask(backend, params);
    return params;
  }
}

