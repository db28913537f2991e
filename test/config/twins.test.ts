import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.js";
import { cli, fixture } from "../support/cli.js";

const env = { TWIN_NOTES_TOKEN: "notes-secret" };

describe("YAML and TypeScript configs are one language", () => {
  it("a YAML config with a $schema line resolves deep-equal to its TypeScript twin", async () => {
    const yaml = await loadConfig({ configPath: fixture("twins/mcp-proxy.config.yaml"), env });
    const ts = await loadConfig({ configPath: fixture("twins/mcp-proxy.config.ts"), env });
    const comparable = (c: typeof yaml.config) => JSON.parse(JSON.stringify({ ...c, file: undefined }));
    expect(comparable(yaml.config)).toEqual(comparable(ts.config));
    // The masked JSON form hides secrets, so also compare what the secrets resolved to.
    const revealed = (c: typeof yaml.config) => {
      const notes = c.backends.notes;
      const search = c.backends.search;
      if (notes?.transport !== "stdio" || search?.transport !== "http") throw new Error("unexpected transports");
      return [notes.env.NOTES_TOKEN, search.headers["X-Api-Key"]].map((v) => (typeof v === "string" ? v : v?.reveal()));
    };
    expect(revealed(yaml.config)).toEqual(["notes-secret", "search-key-value"]);
    expect(revealed(ts.config)).toEqual(revealed(yaml.config));
    expect(yaml.config.backends.notes).toMatchObject({ command: fixture("twins/servers/notes.js"), cwd: fixture("twins").replace(/\/$/, "") });
  });

  it("a broken twin pair reports identical errors", async () => {
    const yaml = await cli(["validate", "--format", "json", "--config", fixture("broken-twins/mcp-proxy.config.yaml")]);
    const ts = await cli(["validate", "--format", "json", "--config", fixture("broken-twins/mcp-proxy.config.ts")]);
    expect(yaml.code).toBe(1);
    expect(ts.code).toBe(1);
    const errors = (out: string) => JSON.parse(out).errors;
    expect(errors(yaml.stdout)).toEqual(errors(ts.stdout));
    expect(errors(yaml.stdout).map((e: { path: string }) => e.path)).toEqual([
      "backends.notes.comand",
      "backends.notes.command",
      "backends.search.transport",
      "routes[0].backend",
    ]);
  });
});
