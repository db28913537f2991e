import type { JSONRPCRequest } from "@modelcontextprotocol/server";
import type { RequestId, Result } from "../../core/context.js";
import { ProxyError } from "../../core/errors.js";

/** A modern request in flight whose backend may ask its client something. */
interface Flight {
  /** Answers the client has given (this round and earlier ones, from the sealed state). */
  readonly responses: Readonly<Record<string, unknown>>;
  /** How many requests the backend has made during this run: the next one's key. */
  asked: number;
  /** Ends the client's request with input_required for this request. */
  readonly need: (key: string, request: { method: string; params: unknown }) => void;
}

const KEY_PREFIX: Record<string, string> = { "sampling/createMessage": "sampling", "elicitation/create": "elicitation", "roots/list": "roots" };

/**
 * Modern client → legacy backend. A legacy backend asks its client mid-call (sampling,
 * elicitation, roots); a modern client can only be asked by an `input_required` result and
 * answers in its retry. The bridge is stateless across rounds: each retry runs the call again,
 * and the backend's n-th request is answered from the client's answer keyed `<kind>-<n>`; the
 * first request without an answer ends the round with input_required (and the upstream call
 * is cancelled). A retry can thus reach any proxy process that holds the sealing key; the
 * price is that a backend runs the call once per round (as a modern server would).
 */
export class InputBridge {
  readonly #flights = new Map<RequestId, Flight>();

  begin(id: RequestId, responses: Readonly<Record<string, unknown>>, need: Flight["need"]): void {
    this.#flights.set(id, { responses, asked: 0, need });
  }

  end(id: RequestId): void {
    this.#flights.delete(id);
  }

  async ask(request: JSONRPCRequest, relatedRequestId: RequestId | undefined): Promise<Result> {
    const flight = relatedRequestId === undefined ? undefined : this.#flights.get(relatedRequestId);
    const kind = KEY_PREFIX[request.method];
    if (!flight || !kind) throw new ProxyError("METHOD_NOT_FOUND", `Method not found: ${request.method} (a modern client is asked only during a call)`);
    const key = `${kind}-${flight.asked++}`;
    const answer = flight.responses[key];
    if (answer !== undefined) return answer as Result;
    flight.need(key, { method: request.method, params: request.params ?? {} });
    // The round is over: the client gets input_required, the backend's call is cancelled.
    throw new ProxyError("REQUEST_CANCELLED", "the client is asked by input_required and answers in its retry");
  }
}
