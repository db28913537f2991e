// The conformance target's input_required diagnostics (SEP-2322): the tools and the prompt the
// 0.2.0 alpha's input-required-result-* scenarios call, and the tools server-stateless probes. A handler returns an InputRequiredResult
// and reads the retry's answers from ctx.mcpReq.inputResponses; the SDK lifts inputResponses and
// requestState out of the params before the handler runs. Served to modern requests only.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { ProtocolError } from "@modelcontextprotocol/server";

const noArgs = { type: "object", properties: {} };
const CAPS_META = "io.modelcontextprotocol/clientCapabilities";

// requestState is what the client echoes back: signed, so a tampered one is refused (-32602).
const KEY = randomBytes(32);
const mac = (payload) => createHmac("sha256", KEY).update(payload).digest("base64url");
function sealState(value) {
  const payload = Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${payload}.${mac(payload)}`;
}
function openState(state, tool) {
  const [payload, tag, ...rest] = String(state ?? "").split(".");
  const expected = payload ? Buffer.from(mac(payload)) : undefined;
  const given = Buffer.from(tag ?? "");
  if (rest.length > 0 || !expected || expected.length !== given.length || !timingSafeEqual(expected, given)) {
    throw new ProtocolError(-32602, "Invalid requestState: integrity check failed", { reason: "invalid_request_state" });
  }
  const value = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  if (value.tool !== tool) throw new ProtocolError(-32602, "Invalid requestState: issued for another request", { reason: "invalid_request_state" });
  return value;
}

const elicit = (message, properties, required) => ({
  method: "elicitation/create",
  params: { message, requestedSchema: { type: "object", properties, required } },
});
const sample = (text, maxTokens) => ({
  method: "sampling/createMessage",
  params: { messages: [{ role: "user", content: { type: "text", text } }], maxTokens },
});
const listRoots = { method: "roots/list", params: {} };
const ask = (inputRequests, requestState) => ({ resultType: "input_required", inputRequests, ...(requestState === undefined ? {} : { requestState }) });
const say = (text) => ({ content: [{ type: "text", text }] });

const answered = (ctx) => ctx.mcpReq.inputResponses ?? {};
const content = (answer) => answer?.content ?? {};
const sampledText = (answer) => (Array.isArray(answer?.content) ? answer.content[0] : answer?.content)?.text ?? "";

/** name -> (args, ctx, request) => result; each round is decided from the retry's answers and state. */
const TOOL_HANDLERS = {
  test_input_required_result_elicitation: (_args, ctx) => {
    const answer = answered(ctx).user_name;
    if (!answer) return ask({ user_name: elicit("What is your name?", { name: { type: "string" } }, ["name"]) });
    return say(`Hello, ${content(answer).name ?? "stranger"}!`);
  },
  test_input_required_result_sampling: (_args, ctx) => {
    const answer = answered(ctx).capital_question;
    if (!answer) return ask({ capital_question: sample("What is the capital of France?", 100) });
    return say(`Sampling response: ${sampledText(answer)}`);
  },
  test_input_required_result_list_roots: (_args, ctx) => {
    const answer = answered(ctx).client_roots;
    if (!answer) return ask({ client_roots: listRoots });
    return say(`Client roots: ${(answer.roots ?? []).map((r) => r.uri).join(", ")}`);
  },
  test_input_required_result_request_state: (_args, ctx) => stateful("test_input_required_result_request_state", ctx, () =>
    ask({ confirm: elicit("Please confirm", { ok: { type: "boolean" } }, ["ok"]) }, sealState({ tool: "test_input_required_result_request_state", round: 1 })),
    (state, answers) => (answers.confirm ? say(`state-ok: round ${state.round} confirmed=${content(answers.confirm).ok}`) : undefined),
  ),
  test_input_required_result_tampered_state: (_args, ctx) => stateful("test_input_required_result_tampered_state", ctx, () =>
    ask({ confirm: elicit("Please confirm", { ok: { type: "boolean" } }, ["ok"]) }, sealState({ tool: "test_input_required_result_tampered_state", round: 1 })),
    (_state, answers) => (answers.confirm ? say("state-ok") : undefined),
  ),
  test_input_required_result_multiple_inputs: (_args, ctx) => stateful("test_input_required_result_multiple_inputs", ctx, () =>
    ask(
      {
        user_name: elicit("What is your name?", { name: { type: "string" } }, ["name"]),
        greeting: sample("Generate a greeting", 50),
        client_roots: listRoots,
      },
      sealState({ tool: "test_input_required_result_multiple_inputs", round: 1 }),
    ),
    (_state, a) => (a.user_name && a.greeting && a.client_roots
      ? say(`name=${content(a.user_name).name}, greeting=${sampledText(a.greeting)}, roots=${(a.client_roots.roots ?? []).length}`)
      : undefined),
  ),
  test_input_required_result_multi_round: (_args, ctx) => stateful("test_input_required_result_multi_round", ctx, () =>
    ask({ step1: elicit("Step 1: What is your name?", { name: { type: "string" } }, ["name"]) }, sealState({ tool: "test_input_required_result_multi_round", round: 1 })),
    (state, answers) => {
      if (state.round === 1 && answers.step1) {
        const name = content(answers.step1).name;
        return ask({ step2: elicit("Step 2: What is your favorite color?", { color: { type: "string" } }, ["color"]) }, sealState({ tool: "test_input_required_result_multi_round", round: 2, name }));
      }
      if (state.round === 2 && answers.step2) return say(`${state.name} likes ${content(answers.step2).color}`);
      return undefined;
    },
  ),
  test_input_required_result_capabilities: (_args, ctx, request) => {
    // Ask only what the request's envelope says the client can answer.
    const caps = request.params?._meta?.[CAPS_META] ?? ctx.mcpReq.envelope?.[CAPS_META] ?? {};
    const answers = answered(ctx);
    const wanted = {};
    if (caps.sampling && !answers.capability_sampling) wanted.capability_sampling = sample("Say hello", 20);
    if (caps.elicitation && !answers.capability_elicitation) wanted.capability_elicitation = elicit("Your name?", { name: { type: "string" } }, ["name"]);
    if (caps.roots && !answers.capability_roots) wanted.capability_roots = listRoots;
    if (Object.keys(wanted).length > 0) return ask(wanted);
    return say(`Answered: ${Object.keys(answers).sort().join(", ") || "nothing (no input capability declared)"}`);
  },
  // server-stateless (SEP-2575) probes. Asking for input the request's envelope did not declare:
  // the SDK answers -32021 (missing client capability) instead of sending the result.
  test_missing_capability: () => ask({ needed: sample("Needs sampling, which this request did not declare", 20) }),
  // Asks by input_required on the call's own response, never by a request of its own on that stream.
  test_streaming_elicitation: (_args, ctx) => {
    const answer = answered(ctx).streamed;
    if (!answer) return ask({ streamed: elicit("Streaming elicitation: continue?", { ok: { type: "boolean" } }, ["ok"]) });
    return say(`streamed: ${JSON.stringify(content(answer))}`);
  },
  // Logs through the SDK, which sends notifications/message only when the request's _meta names a logLevel.
  test_logging_tool: async (_args, ctx) => {
    await ctx.mcpReq.log("info", "test_logging_tool ran");
    return say("logged (if the request asked for a log level)");
  },
};

/** A round 1 without state; later rounds must bring a valid state and the answers it asked for. */
function stateful(tool, ctx, first, next) {
  const raw = ctx.mcpReq.requestState?.();
  if (raw === undefined) return first();
  const state = openState(raw, tool);
  const result = next(state, answered(ctx));
  if (result === undefined) throw new ProtocolError(-32602, "The retry lacks the inputResponses this round asked for");
  return result;
}

export const INPUT_REQUIRED_TOOLS = Object.keys(TOOL_HANDLERS).map((name) => ({
  name,
  description: name.startsWith("test_input_required_result_") ? `input_required diagnostic (SEP-2322): ${name.replace("test_input_required_result_", "")}` : `stateless-server diagnostic (SEP-2575): ${name}`,
  inputSchema: noArgs,
}));

export const INPUT_REQUIRED_PROMPT = { name: "test_input_required_result_prompt", description: "A prompt that asks the client for context (input_required)" };

/** The tool's result, or undefined when `name` is not one of these tools. */
export function callInputRequiredTool(request, ctx) {
  const handler = TOOL_HANDLERS[request.params.name];
  return handler?.(request.params.arguments ?? {}, ctx, request);
}

export function getInputRequiredPrompt(ctx) {
  const answer = answered(ctx).user_context;
  if (!answer) return ask({ user_context: elicit("What context should the prompt use?", { context: { type: "string" } }, ["context"]) });
  return { messages: [{ role: "user", content: { type: "text", text: `Use this context: ${content(answer).context}` } }] };
}
