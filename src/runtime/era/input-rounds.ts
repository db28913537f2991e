import type { JSONRPCRequest } from "@modelcontextprotocol/server";
import type { Cancellation } from "../../core/cancellation.js";
import type { Result } from "../../core/context.js";
import { ProxyError } from "../../core/errors.js";

/** How many input_required rounds one call may take before the proxy gives up on the backend. */
const MAX_INPUT_ROUNDS = 8;

/**
 * Legacy client → modern backend: the backend's input_required result is answered by asking
 * the proxy's client (sampling, elicitation, roots as server→client requests on its session),
 * and the call is retried with the answers and the backend's requestState, echoed as it came.
 * `retry` is the caller's: a client session runs each retry through the whole pipeline.
 */
export async function fulfilInputRequired(
  first: Result,
  retry: (extra: { inputResponses: Record<string, unknown>; requestState?: string }) => Promise<Result>,
  ask: (request: JSONRPCRequest, signal: AbortSignal) => Promise<Result>,
  cancellation: Cancellation | undefined,
  backend: string,
): Promise<Result> {
  let result = first;
  for (let round = 0; result.resultType === "input_required"; round++) {
    if (round >= MAX_INPUT_ROUNDS) throw new ProxyError("BACKEND_INVALID_MESSAGE", `backend "${backend}" asked for input more than ${MAX_INPUT_ROUNDS} times in one call`, { backend });
    const controller = new AbortController();
    const stop = cancellation?.onCancel(() => controller.abort());
    try {
      const requests = (result.inputRequests ?? {}) as Record<string, { method: string; params?: Record<string, unknown> }>;
      const answers = await Promise.all(
        Object.entries(requests).map(async ([key, request]) => [key, await ask({ jsonrpc: "2.0", id: `${backend}-input-${key}`, method: request.method, params: request.params ?? {} } as JSONRPCRequest, controller.signal)] as const),
      );
      const state = typeof result.requestState === "string" ? { requestState: result.requestState } : {};
      result = await retry({ inputResponses: Object.fromEntries(answers), ...state });
    } finally {
      stop?.();
    }
  }
  return result;
}
