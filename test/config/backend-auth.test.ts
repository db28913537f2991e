import { describe, expect, it } from "vitest";
import { cli } from "../support/cli.js";
import { writeConfig } from "../support/proxy-process.js";

const validate = async (backend: Record<string, unknown>) => {
  const file = writeConfig({ version: 1, backends: { crm: { transport: "http", url: "https://crm.example/mcp", ...backend } } });
  const result = await cli(["validate", "--config", file, "--format", "json"], { env: { CRM_SECRET: "crm-secret-value-1" } });
  return { code: result.code, report: JSON.parse(result.stdout) as { errors: Array<{ path: string; message: string }> } };
};
const clientCredentials = (tokenUrl: string) => ({ type: "clientCredentials", tokenUrl, clientId: "gateway", clientSecret: { env: "CRM_SECRET" } });

describe("a backend's auth", () => {
  it("is valid with an https token endpoint, or http on loopback", async () => {
    expect((await validate({ auth: clientCredentials("https://login.example/token") })).code).toBe(0);
    expect((await validate({ auth: clientCredentials("http://127.0.0.1:8443/token") })).code).toBe(0);
    expect((await validate({ auth: { type: "oauth" } })).code).toBe(0);
  });

  it("refuses a token endpoint that would carry the client secret in clear text over a network", async () => {
    const { code, report } = await validate({ auth: clientCredentials("http://login.example/token") });
    expect(code).toBe(1);
    expect(report.errors).toEqual([{ path: "backends.crm.auth.tokenUrl", message: expect.stringContaining("must use https://") }]);
  });

  it("refuses a literal client secret, and an Authorization header beside auth", async () => {
    const { report } = await validate({ headers: { Authorization: { env: "CRM_SECRET" } }, auth: { ...clientCredentials("https://login.example/token"), clientSecret: "literal" } });
    expect(report.errors.map((e) => e.path)).toEqual(expect.arrayContaining(["backends.crm.auth.clientSecret", "backends.crm.headers.Authorization"]));
    expect(JSON.stringify(report)).not.toContain("literal");
  });

  it("names an unknown auth type with its path", async () => {
    const { report } = await validate({ auth: { type: "magic" } });
    expect(report.errors[0]?.path).toMatch(/^backends\.crm\.auth/);
  });
});
