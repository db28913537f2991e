/** Builders for the policy data in tests: a plausible call, changed only where a test says. */
import type { ItemKind, ListData, PolicyData } from "../../../src/policy/types.js";

export interface CallOptions {
  sub?: string;
  roles?: string[];
  claims?: Record<string, unknown>;
  method?: string;
  kind?: ItemKind | "task";
  name?: string;
  backend?: string;
  arguments?: Record<string, unknown>;
  labelsSeen?: string[];
  hour?: number;
}

export function callData(options: CallOptions = {}): PolicyData {
  const name = options.name ?? "crm__search";
  return {
    identity: { sub: options.sub ?? "alice", iss: "https://idp.example", roles: options.roles ?? ["analyst"], claims: options.claims ?? { tier: "gold" } },
    request: { method: options.method ?? "tools/call", name, arguments: options.arguments ?? { query: "acme" } },
    target: { kind: options.kind ?? "tool", name, original: name.replace(/^[a-z]+__/, ""), labels: [] },
    backend: { name: options.backend ?? "crm", labels: [] },
    session: { id: "s-1", binding: "http", labelsSeen: options.labelsSeen ?? [] },
    time: { iso: "2026-11-30T10:00:00.000Z", epochMs: Date.UTC(2026, 10, 30, 10), hour: options.hour ?? 10, weekday: 1 },
  };
}

/** The list-time view of the same call: no arguments, no session, no time. */
export function listData(options: CallOptions = {}): ListData {
  const { identity, request, target, backend } = callData(options);
  return { identity, target, backend, request: { method: request.method, name: request.name } };
}
