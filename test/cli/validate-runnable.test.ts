import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { spawnCli } from "../support/cli.js";

const dir = mkdtempSync(join(tmpdir(), "mcp-proxy-runnable-"));
const write = (name: string, config: unknown) => {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(config));
  return file;
};
const json = (stdout: string) => JSON.parse(stdout) as { valid: boolean; errors: Array<{ path: string; message: string }>; warnings: Array<{ path: string; message: string }> };
const node = { transport: "stdio", command: process.execPath };

describe("validate judges a config as start would", () => {
  it("accepts JWT identity, rate limits and a Redis counter store: every setting of the language is enforced (exit 0)", () => {
    const file = write("enforced", {
      version: 1,
      backends: { a: node },
      auth: { type: "jwt", jwksUrl: "https://id.example.com/jwks.json", issuer: "https://id.example.com/", audience: "mcp" },
      limits: { rateLimits: [{ name: "calls", requests: 10, windowMs: 60_000 }], store: { type: "redis", url: "redis://127.0.0.1:6379" } },
    });
    const result = spawnCli(["validate", "--format", "json", "--config", file]);
    expect(json(result.stdout)).toMatchObject({ valid: true, errors: [] });
    expect(result.code).toBe(0);
  });

  it("warns about a backend program that does not exist or cannot be executed, or a missing working folder, in text and JSON (exit 0)", () => {
    const script = join(dir, "not-executable.sh");
    writeFileSync(script, "#!/bin/sh\n");
    chmodSync(script, 0o644);
    const file = write("missing-programs", {
      version: 1,
      backends: {
        ghost: { transport: "stdio", command: "mcp-server-that-does-not-exist" },
        local: { transport: "stdio", command: "./not-executable.sh" },
        off: { transport: "stdio", command: "./nowhere", enabled: false },
        lost: { ...node, cwd: "./no-such-folder" },
        fine: node,
      },
    });
    const text = spawnCli(["validate", "--config", file], { cwd: dir });
    expect(text.code).toBe(0);
    expect(text.stdout).toBe("missing-programs.json: valid (5 backends, 1 binding), 3 warnings\n");
    expect(text.stderr).toBe(
      '  backends.ghost.command: warning: program "mcp-server-that-does-not-exist" is not in node_modules/.bin of the config\'s folder or above, nor on PATH\n' +
        `  backends.local.command: warning: program ${script} is not an executable file\n` +
        `  backends.lost.cwd: warning: folder ${join(dir, "no-such-folder")} does not exist\n`,
    );
    const report = json(spawnCli(["validate", "--format", "json", "--config", file]).stdout);
    expect(report.valid).toBe(true);
    expect(report.errors).toEqual([]);
    expect(report.warnings.map((w) => w.path)).toEqual(["backends.ghost.command", "backends.local.command", "backends.lost.cwd"]);
  });

  it("--strict counts those warnings as errors; --skip-secrets still only warns", () => {
    const file = write("missing-strict", { version: 1, backends: { ghost: { transport: "stdio", command: "/opt/none/mcp-ghost" } } });
    const strict = spawnCli(["validate", "--strict", "--format", "json", "--config", file]);
    expect(strict.code).toBe(1);
    expect(json(strict.stdout)).toEqual({
      valid: false,
      file,
      errors: [{ path: "backends.ghost.command", message: "program /opt/none/mcp-ghost does not exist" }],
      warnings: [],
    });
    const ci = spawnCli(["validate", "--skip-secrets", "--format", "json", "--config", file]);
    expect(ci.code).toBe(0);
    expect(json(ci.stdout).warnings).toEqual([{ path: "backends.ghost.command", message: "program /opt/none/mcp-ghost does not exist" }]);
  });

  it("print-config shows no defaults for features this version does not have", () => {
    const result = spawnCli(["print-config", "--config", write("plain", { version: 1, backends: { a: node } })]);
    expect(result.code).toBe(0);
    const printed = JSON.parse(result.stdout);
    for (const key of ["auth", "policies", "filters", "audit"]) expect(printed).not.toHaveProperty(key);
    // Hot reload is built: its defaults are printed.
    expect(printed.reload).toEqual({ enabled: true, debounceMs: 200, drainMs: 30_000 });
    // Rate limits are enforced: their defaults (none, counted in memory) are shown.
    expect(printed.limits).toMatchObject({ rateLimits: [], store: { type: "memory" } });
    expect(printed.limits).toHaveProperty("maxBodyBytes");
  });
});
