import type { Params, Result } from "./context.js";

/** Task ids are namespaced `backend/taskId`: two backends may both issue task "1". */
export const TASK_SEPARATOR = "/";

/** A task object as the client sees it: its id namespaced by the backend that owns it. */
export function namespaceTask(backend: string, task: Params): Params {
  return typeof task.taskId === "string" ? { ...task, taskId: `${backend}${TASK_SEPARATOR}${task.taskId}` } : task;
}

/**
 * A `tools/call` result that created a task, with the task's id namespaced: the legacy shape
 * nests it (`{ task: {...} }`), the 2026-07-28 tasks extension's CreateTaskResult is flat
 * (`{ resultType: "task", taskId, ... }`).
 */
export function namespaceTaskResult(backend: string, result: Result): Result {
  if (result.resultType === "task") return namespaceTask(backend, result);
  const task = result.task as Params | undefined;
  return task && typeof task.taskId === "string" ? { ...result, task: namespaceTask(backend, task) } : result;
}

/** The id of the task a `tools/call` result created (either shape), if it created one. */
export function createdTaskId(result: Result): string | undefined {
  const taskId = result.resultType === "task" ? result.taskId : (result.task as Params | undefined)?.taskId;
  return typeof taskId === "string" ? taskId : undefined;
}

/** `backend/taskId` → [backend, taskId]; undefined when there is no backend part. */
export function splitTaskId(id: string): [string, string] | undefined {
  const at = id.indexOf(TASK_SEPARATOR);
  return at <= 0 ? undefined : [id.slice(0, at), id.slice(at + 1)];
}
