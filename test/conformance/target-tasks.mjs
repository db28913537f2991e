// The conformance target's tasks extension (SEP-2663, `io.modelcontextprotocol/tasks`) for the
// 0.2.0 alpha's tasks-* scenarios: the fixture tools those scenarios call, a process-wide task
// store (every 2026-07-28 request gets a fresh Server, so tasks must outlive it), and the
// tasks/get, tasks/update and tasks/cancel methods. Served to modern requests only.
//
// What the scenarios hold a server to: the extension is advertised under
// capabilities.extensions; the task surface answers only a request whose envelope declares the
// extension (else -32021 naming it); a task-supporting tool called by such a request returns a
// flat CreateTaskResult (resultType "task", taskId, status, createdAt, lastUpdatedAt, ttlMs,
// pollIntervalMs), by a request without it runs synchronously, and a tool that can only run as a
// task refuses with -32021; tasks/get inlines result, error or the pending inputRequests; a tool
// error completes with result.isError, a protocol error fails with error; tasks/cancel and
// tasks/update answer an empty ack; an unknown taskId is -32602.
import { randomUUID } from "node:crypto";
import { ProtocolError } from "@modelcontextprotocol/server";

export const TASKS_EXTENSION = "io.modelcontextprotocol/tasks";
const CAPS_META = "io.modelcontextprotocol/clientCapabilities";
const MISSING_CAPABILITY = -32021;
const TTL_MS = 5 * 60_000;
const POLL_INTERVAL_MS = 100;

const text = (t) => ({ content: [{ type: "text", text: t }] });
const elicitConfirm = (message) => ({
  method: "elicitation/create",
  params: { message, requestedSchema: { type: "object", properties: { confirm: { type: "boolean" } }, required: ["confirm"] } },
});

/** taskId -> task; a task is dropped ttlMs after it was created. */
const tasks = new Map();

function declaresTasks(request, ctx) {
  const caps = request.params?._meta?.[CAPS_META] ?? ctx.mcpReq.envelope?.[CAPS_META];
  return caps?.extensions?.[TASKS_EXTENSION] !== undefined;
}

function missingTasksCapability(what) {
  return new ProtocolError(MISSING_CAPABILITY, `${what} needs the ${TASKS_EXTENSION} extension, which this request did not declare`, {
    requiredCapabilities: { extensions: { [TASKS_EXTENSION]: {} } },
  });
}

function createTask(work) {
  const now = new Date().toISOString();
  const task = { taskId: randomUUID(), status: "working", createdAt: now, lastUpdatedAt: now, ttlMs: TTL_MS, pollIntervalMs: POLL_INTERVAL_MS };
  const control = { abort: new AbortController(), pending: {}, answers: {}, wake: undefined };
  tasks.set(task.taskId, { task, control });
  setTimeout(() => tasks.delete(task.taskId), TTL_MS).unref();
  // The task exists before its CreateTaskResult is sent, so an immediate tasks/get finds it.
  void Promise.resolve()
    .then(() => work(control))
    .then(
      (result) => settle(task, control, { status: "completed", result }),
      (error) => settle(task, control, { status: "failed", error: { code: typeof error?.code === "number" ? error.code : -32603, message: String(error?.message ?? error) } }),
    );
  return { resultType: "task", ...task };
}

function settle(task, control, outcome) {
  if (task.status === "cancelled") return;
  if (control.abort.signal.aborted) outcome = { status: "cancelled" };
  Object.assign(task, outcome, { lastUpdatedAt: new Date().toISOString() });
}

function setStatus(task, status) {
  task.status = status;
  task.lastUpdatedAt = new Date().toISOString();
}

/** Resolves after `ms`, or rejects when the task is cancelled first. */
function sleep(ms, control) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    control.abort.signal.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(new Error("cancelled"));
    });
  });
}

/** Parks the task in input_required until every one of `requests` is answered (tasks/update). */
function ask(task, control, requests) {
  Object.assign(control.pending, requests);
  setStatus(task, "input_required");
  return new Promise((resolve, reject) => {
    control.wake = () => {
      if (Object.keys(control.pending).length > 0) return;
      control.wake = undefined;
      setStatus(task, "working");
      resolve(control.answers);
    };
    control.abort.signal.addEventListener("abort", () => reject(new Error("cancelled")));
  });
}

const work = {
  slow_compute: (args) => async (control) => {
    const seconds = Number(args.seconds ?? 1);
    await sleep(seconds * 1000, control);
    return text(`Computed ${String(args.label ?? "result")} after ${seconds}s`);
  },
  failing_job: () => async (control) => {
    await sleep(300, control);
    return { isError: true, content: [{ type: "text", text: "failing_job failed, as it always does" }] };
  },
  protocol_error_job: () => async (control) => {
    await sleep(100, control);
    throw new ProtocolError(-32603, "protocol_error_job crashed, as it always does");
  },
  confirm_delete: (args, task) => async (control) => {
    const key = `confirm-${randomUUID().slice(0, 8)}`;
    const answers = await ask(task(), control, { [key]: elicitConfirm(`Delete ${String(args.filename ?? "the file")}?`) });
    const confirmed = answers[key]?.action === "accept" && answers[key]?.content?.confirm === true;
    return text(confirmed ? `Deleted ${String(args.filename)}` : `Kept ${String(args.filename)}`);
  },
  multi_input: (_args, task) => async (control) => {
    const answers = await ask(task(), control, {
      [`first-${randomUUID().slice(0, 8)}`]: elicitConfirm("First question: continue?"),
      [`second-${randomUUID().slice(0, 8)}`]: elicitConfirm("Second question: continue?"),
    });
    return text(`Both answered: ${Object.values(answers).map((a) => a?.content?.name ?? a?.action).join(", ")}`);
  },
};

/**
 * How each fixture runs: `sync` only, `optional` (a task when the caller declares the extension,
 * else synchronously), `required` (a task; -32021 for a caller without the extension). The tools
 * that wait for input are `required`: their question is only ever asked through tasks/get.
 */
const TASK_SUPPORT = { greet: "sync", slow_compute: "optional", failing_job: "required", protocol_error_job: "optional", confirm_delete: "required", multi_input: "required", test_tool_with_task: "required" };

const schema = (properties = {}, required = []) => ({ type: "object", properties, required });
export const TASK_TOOLS = [
  { name: "greet", description: "Sync only: says hello", inputSchema: schema({ name: { type: "string" } }, ["name"]) },
  { name: "slow_compute", description: "Task-supporting: sleeps `seconds`, then answers", inputSchema: schema({ seconds: { type: "number" }, label: { type: "string" } }) },
  { name: "failing_job", description: "Task required: completes with a tool error", inputSchema: schema() },
  { name: "protocol_error_job", description: "Task-supporting: fails with a protocol error", inputSchema: schema() },
  { name: "confirm_delete", description: "Task required: asks for confirmation (input_required)", inputSchema: schema({ filename: { type: "string" } }, ["filename"]) },
  { name: "multi_input", description: "Task required: asks two questions at once", inputSchema: schema() },
  { name: "test_tool_with_task", description: "Task required: asks the caller's name (input_required), then runs as a task", inputSchema: schema() },
];

/** The tool's result, or undefined when `name` is not one of these tools. */
export function callTaskTool(request, ctx) {
  const name = request.params.name;
  const support = TASK_SUPPORT[name];
  if (support === undefined) return undefined;
  const args = request.params.arguments ?? {};
  if (name === "greet") return text(`Hello, ${String(args.name ?? "World")}!`);
  const declared = declaresTasks(request, ctx);
  if (support === "required" && !declared) throw missingTasksCapability(`Tool ${name}`);
  if (name === "test_tool_with_task") {
    // A synchronous input_required round first; the task is created only once the answer is in.
    const answer = ctx.mcpReq.inputResponses?.user_name;
    if (!answer) return { resultType: "input_required", inputRequests: { user_name: { method: "elicitation/create", params: { message: "What is your name?", requestedSchema: schema({ name: { type: "string" } }, ["name"]) } } } };
    const userName = String(answer.content?.name ?? "stranger");
    return createTask(async () => text(`Hello, ${userName}! (gathered before the task started)`));
  }
  let created;
  const runner = work[name](args, () => created);
  if (!declared) {
    // Synchronously, without the extension: a control that is never cancelled nor asked.
    return runner({ abort: new AbortController(), pending: {}, answers: {} });
  }
  const result = createTask(runner);
  created = tasks.get(result.taskId).task;
  return result;
}

/** A Standard Schema for `{ taskId: string, ... }` params (the SDK wants one for a non-core method). */
const taskParams = {
  "~standard": {
    version: 1,
    vendor: "conformance-target",
    validate: (value) =>
      typeof value?.taskId === "string" ? { value } : { issues: [{ message: "params.taskId must be a string" }] },
  },
};

function lookup(params, ctx, method) {
  if (!declaresTasks({ params }, ctx)) throw missingTasksCapability(method);
  const entry = tasks.get(params.taskId);
  if (entry === undefined) throw new ProtocolError(-32602, `Unknown taskId: ${params.taskId}`);
  return entry;
}

/** DetailedTask: the task, plus its result, error or pending input requests. */
function detailed({ task, control }) {
  const view = { ...task };
  if (task.status === "input_required") view.inputRequests = { ...control.pending };
  return view;
}

/** Installs tasks/get, tasks/update and tasks/cancel on a modern server. */
export function installTaskMethods(server) {
  server.setRequestHandler("tasks/get", { params: taskParams }, async (params, ctx) => detailed(lookup(params, ctx, "tasks/get")));
  server.setRequestHandler("tasks/update", { params: taskParams }, async (params, ctx) => {
    const { control } = lookup(params, ctx, "tasks/update");
    const responses = params.inputResponses ?? ctx.mcpReq.inputResponses ?? {};
    for (const [key, answer] of Object.entries(responses)) {
      // Answers to keys the task did not ask are ignored, as the spec allows.
      if (!(key in control.pending)) continue;
      delete control.pending[key];
      control.answers[key] = answer;
    }
    control.wake?.();
    return {};
  });
  server.setRequestHandler("tasks/cancel", { params: taskParams }, async (params, ctx) => {
    const { task, control } = lookup(params, ctx, "tasks/cancel");
    if (task.status === "working" || task.status === "input_required") {
      control.abort.abort();
      setStatus(task, "cancelled");
    }
    return {};
  });
}
