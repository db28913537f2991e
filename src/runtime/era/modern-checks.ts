import type { ModernEnvelope } from "../../core/era.js";
import { ProxyError } from "../../core/errors.js";

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
