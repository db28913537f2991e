import { readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { renderJsonSchema } from "../../src/config/index.js";
import { REPO_ROOT } from "../support/cli.js";
import { cli } from "../support/cli.js";
import { renderConfigDocs } from "../../scripts/render-config-docs.js";

const published = readFileSync(`${REPO_ROOT}schema/mcp-proxy.schema.json`, "utf8");

describe("schema/ stays generated from its TypeBox source", () => {
  it("matches a fresh rendering byte for byte (run `npm run schema:write` after changing src/config/schema)", () => {
    expect(published).toBe(renderJsonSchema());
  });

  it("is a valid draft 2020-12 schema a plain ajv (as editors and CI tools use) can compile", () => {
    const ajv = new Ajv2020({ strict: false });
    const validate = ajv.compile(JSON.parse(published));
    expect(validate({ version: 1, backends: { a: { transport: "stdio", command: "x" } } })).toBe(true);
    expect(validate({ version: 1, backends: { a: { transport: "stdio", comand: "x" } } })).toBe(false);
  });

  it("describes every property, so editors show help on hover", () => {
    const missing: string[] = [];
    const walk = (node: unknown, path: string) => {
      if (!node || typeof node !== "object") return;
      const schema = node as Record<string, unknown>;
      for (const [key, child] of Object.entries((schema.properties as Record<string, unknown>) ?? {})) {
        if (!(child as Record<string, unknown>).description) missing.push(`${path}.${key}`);
        walk(child, `${path}.${key}`);
      }
      for (const keyword of ["patternProperties"]) {
        for (const child of Object.values((schema[keyword] as Record<string, unknown>) ?? {})) walk(child, `${path}.*`);
      }
      for (const keyword of ["oneOf", "anyOf"]) for (const child of (schema[keyword] as unknown[]) ?? []) walk(child, path);
      if (schema.items) walk(schema.items, `${path}[]`);
    };
    walk(JSON.parse(published), "");
    expect(missing).toEqual([]);
  });

  it("is what `mcp-proxy schema` prints", async () => {
    const result = await cli(["schema"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(published);
  });

  it("docs/config.md is rendered from the same source (run `npm run docs:write`)", () => {
    expect(readFileSync(`${REPO_ROOT}docs/config.md`, "utf8")).toBe(renderConfigDocs());
  });
});
