import { existsSync, readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { REPO_ROOT, spawnCli } from "../support/cli.js";

// The default config and every example with policies keep policy test cases, and they pass
// offline (CI runs them too: .ci/run).

const examples = readdirSync(`${REPO_ROOT}examples`).filter((name) => readdirSync(`${REPO_ROOT}examples/${name}`).some((f) => f.startsWith("mcp-proxy.config.")));
const configOf = (dir: string) => `${dir}/${readdirSync(dir).find((f) => f.startsWith("mcp-proxy.config."))!}`;
const withPolicies = examples.filter((name) => /\bpolicies\b/.test(readFileSync(configOf(`${REPO_ROOT}examples/${name}`), "utf8")));

describe("policy test cases of the repository", () => {
  it("exist for every example with policies", () => {
    expect(withPolicies.length).toBeGreaterThan(0);
    for (const name of withPolicies) expect(existsSync(`${REPO_ROOT}examples/${name}/mcp-proxy.test.yaml`), name).toBe(true);
  });

  it.each([".", ...withPolicies.map((name) => `examples/${name}`)])("pass for %s", (dir) => {
    const result = spawnCli(["test", "--config", configOf(`${REPO_ROOT}${dir}`), "--format", "json"]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout);
    expect(doc.failed).toBe(0);
    expect(doc.passed).toBeGreaterThan(0);
  });
});
