import { Type, type Static } from "@sinclair/typebox";
import type { Interceptor } from "../../core/context.js";
import { NAME_PATTERN, strictObject } from "./common.js";

/**
 * A function value. JSON Schema has no type for one, so the schema carries a keyword of its
 * own (`x-function`, checked by the validator) and a JSON or YAML config, which cannot hold a
 * function, gets a clear error instead of a silently ignored entry.
 */
const InterceptorFunction = Type.Unsafe<Interceptor>({
  "x-function": true,
  "x-expected": "a function (ctx, next) => Promise<result>; only a .ts or .js config can hold one",
  description: "(ctx, next) => Promise<result>: read or change ctx, call next() at most once, return or change its result, or throw to refuse.",
});

export const CustomInterceptor = strictObject(
  {
    name: Type.String({ pattern: NAME_PATTERN, description: "Name, shown in logs and in the pipeline description." }),
    stage: Type.Optional(
      Type.Union([Type.Literal("authenticate"), Type.Literal("resolveTarget"), Type.Literal("authorize"), Type.Literal("custom")], {
        default: "custom",
        description:
          "Runs right after this built-in stage: authenticate (ctx.identity set), resolveTarget (ctx.target set), authorize (the request is allowed), custom (last before forward; the default).",
      }),
    ),
    handle: InterceptorFunction,
  },
  "A custom interceptor of a .ts config: a typed function placed at a named stage of the pipeline.",
);
export type CustomInterceptor = Static<typeof CustomInterceptor>;

export const Interceptors = Type.Array(CustomInterceptor, {
  description: "Custom interceptors (.ts or .js configs only), run in config order within their stage.",
});
