import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { recorderBackend } from "../support/mcp-clients.js";
import { runProxyOnFile, type ProxyProcess, writeConfig } from "../support/proxy-process.js";

/** Tokens of the two callers, given to the proxy through the environment (secret references). */
export const TOKENS = { alice: "tok-alice-4f7d1c9e2b8a", bob: "tok-bob-93e1aa70c5d2" };
/** What the backends plant in their answers; filters must keep it from every client. */
export const PLANT = "sk-live-PLANTED0123456789abcdef";

const hasRole = (role: string) => ({ in: [role, { var: "identity.roles" }] });

/**
 * The enforcement fixture: crm (per-client, holds private data) and mail (shared, egress), two
 * callers (alice: admin and reader, bob: reader), rules covering listing, arguments and a toxic
 * flow, a redaction/strip/size filter and a chained audit file.
 */
export function enforcementConfig(bindings: unknown[] = [{ transport: "http", port: 0, legacySse: true }]): Record<string, unknown> {
  return {
    version: 1,
    backends: {
      crm: recorderBackend("crm", { labels: ["private-data"], env: { RECORDER_PLANT: PLANT } }),
      mail: recorderBackend("mail", { session: "shared", labels: ["egress"] }),
      ghost: { transport: "stdio", command: process.execPath, args: ["-e", "process.exit(3)"], timeouts: { startupMs: 2000 } },
    },
    bindings,
    routes: [{ backend: "crm", kind: "resource", name: "recorder://crm/info", labels: ["customer-records"] }],
    auth: {
      type: "bearer",
      tokens: [
        { token: { env: "ALICE_TOKEN" }, subject: "alice", roles: ["admin", "reader"], claims: { team: "ops", secretClaim: "never-audited" } },
        { token: { env: "BOB_TOKEN" }, subject: "bob", roles: ["reader"], claims: { team: "sales" } },
      ],
    },
    policies: {
      default: "deny",
      rules: [
        { name: "readers-read", effect: "allow", match: { names: ["crm__search", "crm__whoami", "crm__leak", "crm__big", "crm__greet", "recorder://crm/*", "mail__*"] }, when: hasRole("reader") },
        { name: "admins-slow-only", effect: "allow", match: { names: ["crm__slow"] }, when: { and: [hasRole("admin"), { "<": [{ var: "request.arguments.ms" }, 1000] }] } },
        { name: "admins-ghost", effect: "allow", match: { backends: ["ghost"] }, when: hasRole("admin") },
        { name: "no-secret-queries", effect: "deny", match: { names: ["crm__search"] }, when: { in: ["secret", { var: "request.arguments.query" }] } },
        { name: "sales-team-only", effect: "deny", match: { names: ["crm__whoami"] }, when: { "!=": [{ var: "identity.claims.team" }, "sales"] } },
        {
          name: "no-egress-after-private-data",
          effect: "deny",
          when: { and: [{ in: ["egress", { var: "backend.labels" }] }, { in: ["private-data", { var: "session.labelsSeen" }] }] },
        },
      ],
    },
    filters: [
      { name: "no-api-keys", redact: [{ pattern: "sk-live-[A-Za-z0-9]+", replacement: "[KEY]" }], stripFields: ["structuredContent.internal", "_meta.io.example/trace"] },
      { name: "small-results", match: { names: ["crm__big"] }, maxResultBytes: 50_000 },
    ],
    audit: { sink: "file", file: "audit.jsonl", chain: true },
    limits: { initializeWaitMs: 30_000 },
    logging: { level: "debug" },
  };
}

export interface EnforcementProxy extends ProxyProcess {
  readonly auditFile: string;
  auditLines(): Array<Record<string, unknown>>;
}

export async function startEnforcementProxy(config = enforcementConfig()): Promise<EnforcementProxy> {
  const file = writeConfig(config);
  const proxy = await runProxyOnFile(file, { env: { ALICE_TOKEN: TOKENS.alice, BOB_TOKEN: TOKENS.bob }, waitForUrls: (config.bindings as Array<{ transport: string }>).some((b) => b.transport === "http") });
  const auditFile = join(dirname(file), "audit.jsonl");
  const auditLines = () => {
    try {
      return readFileSync(auditFile, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    } catch {
      return [];
    }
  };
  return Object.assign(proxy, { auditFile, auditLines });
}
