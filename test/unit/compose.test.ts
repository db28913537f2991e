import { describe, expect, it } from "vitest";
import { compose } from "../../src/core/compose.js";
import type { Handler, Interceptor, RequestContext } from "../../src/core/context.js";

const ctx = {} as RequestContext;

describe("compose", () => {
  it("runs interceptors in order around the terminal handler", async () => {
    const seen: string[] = [];
    const tag = (name: string): Interceptor => async (_ctx, next) => {
      seen.push(`${name}>`);
      const result = await next();
      seen.push(`<${name}`);
      return { ...result, [name]: true };
    };
    const handler = compose([tag("a"), tag("b")], async () => (seen.push("terminal"), { ok: 1 }));
    expect(await handler(ctx)).toEqual({ ok: 1, a: true, b: true });
    expect(seen).toEqual(["a>", "b>", "terminal", "<b", "<a"]);
  });

  it("returns the terminal handler itself for an empty chain", () => {
    const terminal: Handler = async () => ({});
    expect(compose([], terminal)).toBe(terminal);
  });

  it("refuses a second next() from the same interceptor, so nothing is forwarded twice", async () => {
    let forwarded = 0;
    const twice: Interceptor = async (_ctx, next) => {
      await next();
      return next();
    };
    await expect(compose([twice], async () => ({ n: ++forwarded }))(ctx)).rejects.toThrow(/next\(\) called more than once/);
    expect(forwarded).toBe(1);
  });

  it("lets an interceptor answer without calling next", async () => {
    let forwarded = false;
    const handler = compose([async () => ({ refused: true })], async () => ((forwarded = true), {}));
    expect(await handler(ctx)).toEqual({ refused: true });
    expect(forwarded).toBe(false);
  });

  it("turns a synchronous throw into a rejection", async () => {
    const throws: Interceptor = () => {
      throw new Error("boom");
    };
    const handler = compose([throws], async () => ({}));
    let thrownSynchronously = false;
    let promise: Promise<unknown> | undefined;
    try {
      promise = handler(ctx);
    } catch {
      thrownSynchronously = true;
    }
    expect(thrownSynchronously).toBe(false);
    await expect(promise).rejects.toThrow("boom");
  });
});
