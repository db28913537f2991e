import type { Params, RequestInfo } from "../../core/context.js";
import type { ModernEnvelope } from "../../core/era.js";
import { ProxyError } from "../../core/errors.js";
import { type ParamHeader, paramHeaderMismatch, paramHeadersOf } from "../../core/param-headers.js";
import type { Surface } from "../../core/surface.js";

/** The 2026-07-28 tasks extension (SEP-2663): its methods are served only to a client that declares it. */
export const TASKS_EXTENSION = "io.modelcontextprotocol/tasks";
const TASK_METHODS: ReadonlySet<string> = new Set(["tasks/get", "tasks/update", "tasks/cancel"]);

/**
 * tasks/get, tasks/update and tasks/cancel from a request whose envelope does not declare the
 * tasks extension: -32021 naming it, as the spec says, before any task id is looked at.
 */
export function tasksCapabilityRefusal(method: string, envelope: ModernEnvelope): ProxyError | undefined {
  if (!TASK_METHODS.has(method)) return undefined;
  const extensions = envelope.clientCapabilities.extensions as Record<string, unknown> | undefined;
  if (typeof extensions === "object" && extensions !== null && extensions[TASKS_EXTENSION] !== undefined) return undefined;
  return new ProxyError("MISSING_CLIENT_CAPABILITY", `${method} needs the ${TASKS_EXTENSION} extension, which the request's client capabilities do not declare`, {
    requiredCapabilities: { extensions: { [TASKS_EXTENSION]: {} } },
  });
}

/** A tool's marked properties, worked out once per listed tool object. */
const marked = new WeakMap<object, ParamHeader[]>();

/**
 * A modern tools/call over HTTP whose `Mcp-Param-*` headers disagree with its arguments, going
 * by the `x-mcp-header` marks of the tool as this caller's surface lists it: HTTP 400, -32020,
 * before the call reaches the pipeline, as a server must (SEP-2243). A tool the surface does not
 * list is left to the pipeline (which answers it as unknown).
 */
export function paramHeaderRefusal(method: string, params: Params | undefined, surface: Surface, info: RequestInfo): ProxyError | undefined {
  if (method !== "tools/call" || info.transport !== "streamable-http") return undefined;
  const tool = surface.tools.find((t) => t.name === params?.name);
  if (!tool) return undefined;
  let headers = marked.get(tool);
  if (!headers) marked.set(tool, (headers = paramHeadersOf(tool.inputSchema)));
  if (headers.length === 0) return undefined;
  const problem = paramHeaderMismatch(headers, params?.arguments, (name) => {
    const value = info.headers?.[name];
    return Array.isArray(value) ? value[0] : value;
  });
  return problem === undefined ? undefined : new ProxyError("HEADER_MISMATCH", `Bad Request: ${problem}`);
}
