import type { Static } from "@sinclair/typebox";
import { describe, expectTypeOf, it } from "vitest";
import { defineProxy, type ProxyConfig, type ProxyConfigFunction, type ProxyConfigSchema } from "../../src/index.js";

const backends = { memory: { transport: "stdio", command: "mcp-server-memory" } } as const;

describe("defineProxy types", () => {
  it("takes exactly the type derived from the JSON Schema source", () => {
    expectTypeOf<Static<typeof ProxyConfigSchema>>().toEqualTypeOf<ProxyConfig>();
    // The last overload is the object form; its parameter is the schema-derived type itself.
    expectTypeOf<Parameters<typeof defineProxy>[0]>().toEqualTypeOf<Static<typeof ProxyConfigSchema>>();
    expectTypeOf(defineProxy({ version: 1, backends })).toEqualTypeOf<ProxyConfig>();
  });

  it("rejects a misspelled key", () => {
    // @ts-expect-error `bindingz` is not a config key
    defineProxy({ version: 1, backends, bindingz: [] });
    // @ts-expect-error `comand` is not a stdio backend key
    defineProxy({
      version: 1,
      backends: { memory: { transport: "stdio", comand: "mcp-server-memory" } },
    });
  });

  it("rejects an unknown transport", () => {
    // @ts-expect-error `grpc` is not a transport
    defineProxy({ version: 1, backends: { memory: { transport: "grpc", url: "http://127.0.0.1:1/" } } });
    // @ts-expect-error `websocket` is not a binding transport
    defineProxy({ version: 1, backends, bindings: [{ transport: "websocket", port: 1 }] });
  });

  it("accepts the function and async forms", () => {
    expectTypeOf(defineProxy(({ env, configDir }) => ({ version: 1, backends: { m: { transport: "stdio", command: env.CMD ?? "x", cwd: configDir } } }))).toEqualTypeOf<ProxyConfigFunction>();
    expectTypeOf(defineProxy(async () => ({ version: 1, backends }))).toEqualTypeOf<ProxyConfigFunction>();
    // @ts-expect-error an unknown transport is caught inside the async form too
    defineProxy(async () => ({ version: 1, backends: { m: { transport: "grpc", command: "x" } } }));
  });

  it("types secret references as objects, not literals", () => {
    defineProxy({ version: 1, backends: { s: { transport: "http", url: "http://127.0.0.1:1/mcp", headers: { Authorization: { env: "TOKEN" } } } } });
    // @ts-expect-error a secret reference is { env } or { file }, not { value }
    defineProxy({ version: 1, backends: { s: { transport: "http", url: "http://127.0.0.1:1/mcp", headers: { Authorization: { value: "x" } } } } });
  });
});
