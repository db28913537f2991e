import type { Handler, Interceptor, RequestContext, Result } from "./context.js";

/**
 * Chains interceptors in front of a terminal handler. Each interceptor gets `next()`, which
 * runs the rest of the chain once; calling it twice is a bug in that interceptor and rejects
 * (a second call would forward a request twice). With no interceptors the terminal handler is
 * returned as it is, so a one-step chain costs nothing. A synchronous throw anywhere becomes a
 * rejection, so callers handle one kind of failure.
 */
export function compose(interceptors: readonly Interceptor[], terminal: Handler): Handler {
  if (interceptors.length === 0) return terminal;
  if (interceptors.length === 1) return single(interceptors[0]!, terminal);
  const chain = [...interceptors];
  return (ctx: RequestContext): Promise<Result> => {
    let reached = -1;
    const dispatch = (index: number): Promise<Result> => {
      if (index <= reached) return Promise.reject(new Error(`next() called more than once by interceptor ${index - 1}`));
      reached = index;
      try {
        const interceptor = chain[index];
        return interceptor ? interceptor(ctx, () => dispatch(index + 1)) : terminal(ctx);
      } catch (error) {
        return Promise.reject(error);
      }
    };
    return dispatch(0);
  };
}

/** The common one-interceptor chain, with one closure per request instead of two. */
function single(interceptor: Interceptor, terminal: Handler): Handler {
  return (ctx: RequestContext): Promise<Result> => {
    let called = false;
    try {
      return interceptor(ctx, () => {
        if (called) return Promise.reject(new Error("next() called more than once by interceptor 0"));
        called = true;
        return terminal(ctx);
      });
    } catch (error) {
      return Promise.reject(error);
    }
  };
}
