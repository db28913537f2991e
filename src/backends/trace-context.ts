import { AsyncLocalStorage } from "node:async_hooks";

/**
 * The W3C `traceparent` of the upstream call under way, for the HTTP transports to send as a
 * header. The SDK transports build their own requests, so the value travels with the call's
 * async context rather than through their APIs; outside a traced call there is none.
 */
const current = new AsyncLocalStorage<string>();

/** Runs `send` so that every HTTP request it makes to a backend carries `traceparent`. */
export function withTraceparent<T>(traceparent: string, send: () => T): T {
  return current.run(traceparent, send);
}

/** A fetch that adds the current call's `traceparent` header, when there is one. */
export function tracingFetch(inner: typeof fetch): typeof fetch {
  return (input, init) => {
    const traceparent = current.getStore();
    if (traceparent === undefined) return inner(input, init);
    const headers = new Headers(init?.headers);
    headers.set("traceparent", traceparent);
    return inner(input, { ...init, headers });
  };
}
