import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, spawnCli } from "../support/cli.js";

const base = { version: 1, backends: { memory: { transport: "stdio", command: "mcp-server-memory" } } };
const dir = mkdtempSync(join(tmpdir(), "mcp-proxy-broken-"));

/** Each case is one kind of mistake, with exactly the paths a user must be shown. */
const cases: Array<{ name: string; config: unknown; paths: string[]; message?: RegExp }> = [
  { name: "missing version", config: { backends: base.backends }, paths: ["version"], message: /is required/ },
  { name: "unsupported version", config: { ...base, version: 2 }, paths: ["version"], message: /must be 1/ },
  { name: "misspelled top-level key", config: { ...base, bindingz: [] }, paths: ["bindingz"], message: /did you mean "bindings"/ },
  {
    name: "unknown transport",
    config: { version: 1, backends: { crm: { transport: "grpc", url: "http://127.0.0.1:1/" } } },
    paths: ["backends.crm.transport"],
    message: /must be one of: "stdio", "http", "sse" \(got "grpc"\)/,
  },
  {
    name: "the key's own name as the transport",
    config: { version: 1, backends: { crm: { transport: "trasnport", url: "http://127.0.0.1:1/" } } },
    paths: ["backends.crm.transport"],
    message: /^must be one of: "stdio", "http", "sse" \(got "trasnport", the key's own name; did you mean "stdio", "http" or "sse"\?\)$/,
  },
  {
    name: "misspelled transport",
    config: { version: 1, backends: { crm: { transport: "htpp", url: "http://127.0.0.1:1/" } } },
    paths: ["backends.crm.transport"],
    message: /^must be one of: "stdio", "http", "sse" \(got "htpp"; did you mean "http"\?\)$/,
  },
  {
    name: "misspelled session mode",
    config: { version: 1, backends: { m: { transport: "stdio", command: "x", session: "per-clinet" } } },
    paths: ["backends.m.session"],
    message: /^must be one of: "per-client", "shared" \(got "per-clinet"; did you mean "per-client"\?\)$/,
  },
  {
    name: "versionNegotiation and era that disagree",
    config: { version: 1, backends: { m: { transport: "stdio", command: "x", era: "legacy", versionNegotiation: { pin: "2026-07-28" } } } },
    paths: ["backends.m.versionNegotiation"],
    message: /^says era "modern" but era is "legacy"; set one of them/,
  },
  {
    name: "versionNegotiation pinning a version the proxy does not speak",
    config: { version: 1, backends: { m: { transport: "stdio", command: "x", versionNegotiation: { pin: "2025-11-25" } } } },
    paths: ["backends.m.versionNegotiation"],
    message: /^must be "legacy", "auto" or \{ pin: "2026-07-28" \} \(got an object\)$/,
  },
  { name: "wrong type", config: { ...base, bindings: [{ transport: "http", port: "8080" }] }, paths: ["bindings[0].port"], message: /must be an integer/ },
  {
    name: "a binding beyond loopback without an auth section",
    config: { ...base, bindings: [{ transport: "http", host: "127.0.0.1", port: 8080 }, { transport: "http", host: "0.0.0.0", port: 8081 }, { transport: "http", host: "::", port: 8082 }] },
    paths: ["bindings[1].host", "bindings[2].host"],
    message: /beyond loopback, but the config has no top-level auth section; add one \(auth: \{ type: "bearer", tokens: \[\.\.\.\] \}, or auth: \{ type: "none" \}/,
  },
  { name: "port out of range", config: { ...base, bindings: [{ transport: "http", port: 70000 }] }, paths: ["bindings[0].port"], message: /<= 65535/ },
  {
    name: "route to unknown backend",
    config: { ...base, routes: [{ backend: "crm", kind: "tool", name: "find" }] },
    paths: ["routes[0].backend"],
    message: /unknown backend "crm"/,
  },
  {
    name: "policy match naming unknown backend",
    config: { ...base, policies: { rules: [{ name: "r", effect: "allow", match: { backends: ["memory", "ghost"] } }] } },
    paths: ["policies.rules[0].match.backends[1]"],
  },
  {
    name: "two items renamed to one name",
    config: {
      version: 1,
      backends: { a: { transport: "stdio", command: "a" }, b: { transport: "stdio", command: "b" } },
      routes: [
        { backend: "a", kind: "tool", name: "search", rename: "find" },
        { backend: "b", kind: "tool", name: "lookup", rename: "find" },
      ],
    },
    paths: ["routes[1].rename"],
    message: /already exposed by routes\[0\]/,
  },
  {
    name: "unknown JSON-Logic operator",
    config: { ...base, policies: { rules: [{ name: "r", effect: "allow", when: { "===": [{ var: "identity.sub" }, "x"] } }, { name: "s", effect: "deny", when: { regex_match: ["a", "b"] } }] } },
    paths: ["policies.rules[1].when.regex_match"],
    message: /unknown JSON-Logic operator "regex_match"/,
  },
  {
    name: "unresolvable secret reference",
    config: { version: 1, backends: { crm: { transport: "http", url: "http://127.0.0.1:1/mcp", headers: { Authorization: { env: "NOT_SET_ANYWHERE_42" } } } } },
    paths: ["backends.crm.headers.Authorization.env"],
    message: /NOT_SET_ANYWHERE_42 is not set/,
  },
  {
    name: "secret file missing",
    config: { ...base, auth: { type: "bearer", tokens: [{ token: { file: "./no-such.token" }, subject: "a" }] } },
    paths: ["auth.tokens[0].token.file"],
    message: /cannot read secret file .*no-such\.token \(ENOENT\)/,
  },
  {
    name: "two bindings on one port",
    config: { ...base, bindings: [{ transport: "http", port: 8080 }, { transport: "http", host: "::1", port: 8080 }] },
    paths: ["bindings[1].port"],
    message: /already bound by bindings\[0\]/,
  },
  { name: "bad backend URL", config: { version: 1, backends: { s: { transport: "sse", url: "localhost:3000/sse" } } }, paths: ["backends.s.url"] },
  { name: "invalid redaction regex", config: { ...base, filters: [{ name: "f", redact: [{ pattern: "([a-z" }] }] }, paths: ["filters[0].redact[0].pattern"] },
  { name: "literal secret where a reference is required", config: { ...base, auth: { type: "bearer", tokens: [{ token: "hunter2", subject: "a" }] } }, paths: ["auth.tokens[0].token"] },
  { name: "no backend", config: { version: 1, backends: {} }, paths: ["backends"], message: /at least 1/ },
  {
    name: "a redaction pattern RE2 cannot run in linear time (a backreference)",
    config: { ...base, filters: [{ name: "f", redact: [{ pattern: "(a+)\\1" }] }] },
    paths: ["filters[0].redact[0].pattern"],
    message: /backreference/,
  },
  {
    name: "a list-only rule that reads arguments",
    config: { ...base, policies: { rules: [{ name: "r", effect: "allow", actions: ["list"], when: { "==": [{ var: "request.arguments.x" }, 1] } }] } },
    paths: ["policies.rules[0].actions"],
    message: /reads request\.arguments but applies to list only/,
  },
  {
    name: "a shadow rule that applies to list only (listing ignores shadow rules)",
    config: { ...base, policies: { rules: [{ name: "r", effect: "deny", mode: "shadow", actions: ["list"] }] } },
    paths: ["policies.rules[0].mode"],
    message: /a shadow rule is evaluated on calls only/,
  },
  {
    name: "interceptors in a JSON config",
    config: { ...base, interceptors: [{ name: "x", handle: "function () {}" }] },
    paths: ["interceptors[0].handle"],
    message: /must be a function .*only a \.ts or \.js config can hold one/,
  },
  {
    name: "a rule or filter for a method no policy decides and no filter sees",
    config: { ...base, policies: { rules: [{ name: "r", effect: "deny", match: { methods: ["resources/subscribe"] } }] }, filters: [{ name: "f", match: { methods: ["tools/list"] } }] },
    paths: ["filters[0].match.methods[0]", "policies.rules[0].match.methods[0]"],
    message: /can never match/,
  },
  {
    name: "a list-only rule that reads the session",
    config: { ...base, policies: { rules: [{ name: "r", effect: "deny", actions: ["list"], when: { in: ["x", { var: "session.labelsSeen" }] } }] } },
    paths: ["policies.rules[0].actions"],
    message: /reads session but applies to list only/,
  },
  { name: "an audit chain without a file", config: { ...base, audit: { chain: true } }, paths: ["audit.chain"], message: /needs audit\.sink "file"/ },
  {
    name: "two bindings with one name",
    config: { ...base, bindings: [{ transport: "http", port: 0, name: "web" }, { transport: "stdio", name: "web" }] },
    paths: ["bindings[1].name"],
    message: /already used at bindings\[0\]/,
  },
  {
    name: "a policy reading a var outside the documented data",
    config: { ...base, policies: { rules: [{ name: "r", effect: "allow", when: { var: "sesion.labelsSeen" } }] } },
    paths: ["policies.rules[0].when.var"],
    message: /outside the policy data/,
  },
  {
    name: "credential written literally",
    config: {
      version: 1,
      backends: {
        crm: { transport: "http", url: "http://127.0.0.1:1/mcp", headers: { Authorization: "Bearer sk-live-123", "X-Tenant": "acme" } },
        db: { transport: "stdio", command: "db", env: { DB_PASSWORD: "hunter2", MODE: "ro" } },
      },
    },
    paths: ["backends.crm.headers.Authorization", "backends.db.env.DB_PASSWORD"],
    message: /looks like a credential written literally/,
  },
  {
    name: "password in a URL written literally",
    config: {
      version: 1,
      backends: {
        db: { transport: "stdio", command: "db", env: { DATABASE_URL: "postgres://u:pw-4b1d@h/db", MODE: "ro", DOCS: "https://example.com/x@y" } },
        crm: { transport: "http", url: "https://svc:pw-4b1d@crm.example/mcp" },
      },
    },
    paths: ["backends.crm.url", "backends.db.env.DATABASE_URL"],
    message: /holds a password written literally/,
  },
  {
    name: "a jwt auth whose keys travel in the clear, with none and an HMAC algorithm for a JWKS",
    config: { ...base, auth: { type: "jwt", jwksUrl: "http://idp.example/jwks", algorithms: ["RS256", "none", "HS256"] } },
    paths: ["auth.jwksUrl", "auth.algorithms[1]", "auth.algorithms[2]"],
    message: /^(?=[\s\S]*must use https:\/\/ \(http:\/\/ only to a loopback host; got idp\.example\))(?=[\s\S]*"none" \(an unsigned token\) is never accepted)(?=[\s\S]*"HS256" is an HMAC algorithm, which needs secret)/,
  },
  {
    name: "a jwt auth with two key sources",
    config: { ...base, auth: { type: "jwt", secret: { file: "jwt.key" }, jwksUrl: "https://idp.example/jwks" } },
    paths: ["auth", "auth.secret.file"],
    message: /exactly one of secret \(HMAC\) or jwksUrl/,
  },
  {
    name: "an HTTP binding's edge settings that cannot be read",
    config: {
      ...base,
      bindings: [{ transport: "http", port: 0, publicUrl: "mcp.example.com/mcp", trustedProxies: ["10.0.0.0/8", "10.0.0.0/33", "proxy.internal"], cors: { allowedOrigins: ["https://app.example/path"] } }],
    },
    paths: ["bindings[0].publicUrl", "bindings[0].trustedProxies[1]", "bindings[0].trustedProxies[2]", "bindings[0].cors.allowedOrigins[0]"],
    message: /^(?=[\s\S]*must be an absolute https:\/\/ URL)(?=[\s\S]*prefix length outside 0\.\.32)(?=[\s\S]*is not an IP address or a CIDR range)(?=[\s\S]*is not an origin)/,
  },
];

function write(name: string, value: unknown): string {
  const file = join(dir, `${name.replace(/\W+/g, "-")}.json`);
  writeFileSync(file, JSON.stringify(value));
  return file;
}

describe("broken configs fail with exactly their paths", () => {
  it.each(cases)("$name", async ({ name, config, paths, message }) => {
    const result = await cli(["validate", "--format", "json", "--config", write(name, config)]);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as { valid: boolean; errors: Array<{ path: string; message: string }> };
    expect(report.valid).toBe(false);
    expect(report.errors.map((e) => e.path).sort()).toEqual([...paths].sort());
    if (message) expect(report.errors.map((e) => e.message).join("\n")).toMatch(message);
  });

  it("never prints a password written into a backend's env URL: validate flags it, print-config refuses", async () => {
    const file = write("env-url-password", { version: 1, backends: { db: { transport: "stdio", command: "db", env: { DATABASE_URL: "postgres://u:pw-9f8e7d@h/db" } } } });
    const validate = await cli(["validate", "--config", file]);
    const printed = await cli(["print-config", "--config", file]);
    expect(validate.code).toBe(1);
    expect(printed.code).toBe(1);
    expect(validate.stderr + printed.stderr).toContain("backends.db.env.DATABASE_URL");
    expect(validate.stdout + validate.stderr + printed.stdout + printed.stderr).not.toContain("pw-9f8e7d");
  });

  it("never repeats a value found where a credential belongs", async () => {
    const file = write("echo-secret", { ...base, auth: { type: "bearer", tokens: [{ token: "sk-live-9f8e7d6c5b4a", subject: "a" }] } });
    const json = await cli(["validate", "--format", "json", "--config", file]);
    const text = await cli(["validate", "--config", file]);
    expect(json.code).toBe(1);
    expect(json.stdout + text.stderr).not.toContain("sk-live-9f8e7d6c5b4a");
    expect(JSON.parse(json.stdout).errors[0].message).toContain("(got a string)");
  });

  it("refuses an HMAC key too short for HS256 (offline guessable), without printing it", async () => {
    writeFileSync(join(dir, "short-hmac.key"), "hunter2-short\n");
    const file = write("short-hmac", { ...base, auth: { type: "jwt", secret: { file: "short-hmac.key" } } });
    const result = await cli(["validate", "--format", "json", "--config", file]);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout).errors).toEqual([{ path: "auth.secret", message: expect.stringContaining("at least 32 bytes") }]);
    expect(result.stdout + result.stderr).not.toContain("hunter2-short");
    writeFileSync(join(dir, "short-hmac.key"), `${"k".repeat(32)}\n`);
    expect((await cli(["validate", "--config", file])).code).toBe(0);
  });

  it("refuses a requestState key too short to resist an offline guess, without printing it", async () => {
    writeFileSync(join(dir, "short-state.key"), "tiny-state-key\n");
    const file = write("short-state", { ...base, protocol: { requestStateKey: { file: "short-state.key" } } });
    const result = await cli(["validate", "--format", "json", "--config", file]);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout).errors).toEqual([{ path: "protocol.requestStateKey", message: expect.stringContaining("at least 32 bytes") }]);
    expect(result.stdout + result.stderr).not.toContain("tiny-state-key");
    writeFileSync(join(dir, "short-state.key"), `${"s".repeat(32)}\n`);
    expect((await cli(["validate", "--config", file])).code).toBe(0);
  });

  it("names a TLS certificate or key that cannot serve, without printing the PEM", async () => {
    const pem = "-----BEGIN PRIVATE KEY-----\nNOTAKEY0bad1pem2body3\n-----END PRIVATE KEY-----\n";
    writeFileSync(join(dir, "bad-tls.pem"), pem);
    const file = write("bad-tls", { ...base, bindings: [{ transport: "http", port: 0, tls: { cert: { file: "bad-tls.pem" }, key: { file: "bad-tls.pem" } } }] });
    const result = await cli(["validate", "--format", "json", "--config", file]);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout).errors).toEqual([{ path: "bindings[0].tls", message: expect.stringContaining("cannot serve TLS") }]);
    expect(result.stdout + result.stderr).not.toContain("NOTAKEY0bad1pem2body3");
  });

  it("reports three mistakes in one config as three entries, in path order", async () => {
    const file = write("three-mistakes", {
      version: 1,
      backends: { crm: { transport: "http", url: "http://127.0.0.1:1/mcp", timeouts: { callMS: 5 } } },
      bindings: [{ transport: "http", port: -1 }],
      routes: [{ backend: "billing", kind: "tool", name: "x" }],
    });
    const result = await cli(["validate", "--config", file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("invalid, 3 errors");
    const lines = result.stderr.trim().split("\n").slice(1);
    expect(lines).toEqual([
      '  backends.crm.timeouts.callMS: is not a known key (did you mean "callMs"?); expected one of: startupMs, callMs, idleMs',
      "  bindings[0].port: must be >= 0 (got number -1)",
      '  routes[0].backend: names unknown backend "billing"; known: crm',
    ]);
  });

  it("exits 1 from the real binary, and 2 for a missing file or a usage mistake", () => {
    const invalid = spawnCli(["validate", "--config", write("bin-invalid", { version: 1, backends: { a: { transport: "carrier-pigeon" } } })]);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain("backends.a.transport");
    const missing = spawnCli(["validate", "--config", join(dir, "nope.yaml")]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope\.yaml does not exist/);
    expect(spawnCli(["validate", "--format", "xml"]).code).toBe(2);
    expect(spawnCli(["validate", "--colour"]).code).toBe(2);
  });

  it("exits 2 for a file that exists but cannot be read", async () => {
    const result = await cli(["validate", "--config", dir]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/is not a file/);
  });

  it("reports a YAML syntax error as invalid, with the line", async () => {
    const file = join(dir, "syntax.yaml");
    writeFileSync(file, "version: 1\nbackends:\n  a: { transport: stdio, command: x\n");
    const result = await cli(["validate", "--format", "json", "--config", file]);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report.errors).toHaveLength(1);
    expect(report.errors[0].path).toBe("");
    expect(report.errors[0].message).toBe(`config cannot be parsed: unexpected end of the stream within a flow collection (at ${file}:4:1)`);
  });

  it("reports a JSON syntax error with its reason, line and column, through the real binary", () => {
    const file = join(dir, "trailing-comma.json");
    writeFileSync(file, '{\n  "version": 1,\n  "backends": { "a": { "transport": "stdio", "command": "x" }, }\n}\n');
    const result = spawnCli(["validate", "--config", file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/trailing-comma\.json: invalid, 1 error\n/);
    expect(result.stderr).toContain(`\n  (config): config cannot be parsed: Expected double-quoted property name (at ${file}:3:64)\n`);
  });

  it.each([
    ["a trailing comma in an array", '{"version": 1,\n "backends": {"a": {"args": [1, 2,]}}}', "Unexpected token ']'", "2:35"],
    ["a misspelled literal", '{"version": 1,\n "x": tru}', "Unexpected token '}'", "2:10"],
    ["a comment", '{"version": 1, // one\n}', "Expected double-quoted property name", "1:16"],
    ["a second value after the first", '{"version": 1}\n{"backends": {}}', "Unexpected non-whitespace character after the JSON value", "2:1"],
    ["a bad escape in a string", '{"version": 1, "x": "C:\\q"}', "Bad escaped character", "1:24"],
    ["a file that ends early", '{"version": 1,\n "backends": {}', "Expected ',' or '}' after property value", "2:16"],
  ])("locates %s in JSON", async (_name, text, reason, at) => {
    const file = join(dir, "located.json");
    writeFileSync(file, text);
    const result = await cli(["validate", "--format", "json", "--config", file]);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout).errors).toEqual([{ path: "", message: `config cannot be parsed: ${reason} (at ${file}:${at})` }]);
  });
});
