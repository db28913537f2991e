import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { validateConfig } from "../../src/config/index.js";
import { fixture } from "../support/cli.js";

const withHeader = (value: unknown) => ({
  version: 1,
  backends: { crm: { transport: "http", url: "https://crm.example/mcp", headers: { Authorization: value } } },
});

describe("secret references", () => {
  it("resolve from the environment and from files relative to the config", () => {
    const fromEnv = validateConfig(withHeader({ env: "CRM_TOKEN" }), { configDir: "/", env: { CRM_TOKEN: "Bearer abc" } });
    const fromFile = validateConfig(withHeader({ file: "search.key" }), { configDir: fixture("twins"), env: {} });
    const header = (r: typeof fromEnv) => {
      const backend = r.config?.backends.crm;
      return backend?.transport === "http" ? backend.headers.Authorization : undefined;
    };
    expect(typeof header(fromEnv) === "object" && header(fromEnv)).toHaveProperty("source", "env:CRM_TOKEN");
    expect((header(fromEnv) as { reveal(): string }).reveal()).toBe("Bearer abc");
    expect((header(fromFile) as { reveal(): string }).reveal()).toBe("search-key-value");
  });

  it("never print their value: JSON, inspect and string forms are masked", () => {
    const { config } = validateConfig(withHeader({ env: "CRM_TOKEN" }), { configDir: "/", env: { CRM_TOKEN: "tok-123" } });
    const text = [JSON.stringify(config), inspect(config, { depth: 10 }), `${(config?.backends.crm as { headers: Record<string, unknown> }).headers.Authorization}`];
    for (const form of text) expect(form).not.toContain("tok-123");
  });

  it("an empty environment variable is an error, not an empty credential", () => {
    const result = validateConfig(withHeader({ env: "CRM_TOKEN" }), { configDir: "/", env: { CRM_TOKEN: "" } });
    expect(result.issues).toEqual([{ path: "backends.crm.headers.Authorization.env", message: "environment variable CRM_TOKEN is empty" }]);
  });

  it("with skipSecrets, check shape only and refuse to reveal", () => {
    const result = validateConfig(withHeader({ env: "ABSENT" }), { configDir: "/", env: {}, skipSecrets: true });
    expect(result.issues).toEqual([]);
    const header = (result.config?.backends.crm as { headers: Record<string, { resolved: boolean; reveal(): string }> }).headers.Authorization!;
    expect(header.resolved).toBe(false);
    expect(() => header.reveal()).toThrow(/not resolved/);
  });

  it("the resolved config is frozen, so no part of the runtime can change it under another", () => {
    const { config } = validateConfig(withHeader("literal"), { configDir: "/", env: {} });
    expect(Object.isFrozen(config?.backends.crm)).toBe(true);
    expect(() => {
      (config as unknown as { bindings: unknown[] }).bindings.push({});
    }).toThrow(TypeError);
  });
});
