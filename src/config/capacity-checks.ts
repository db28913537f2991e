import type { ConfigIssue } from "./config-issue.js";

/** The only methods whose answers the cache keeps (the cache stage and the config checks both read this). */
export const CACHED_METHODS: readonly string[] = ["tools/call", "resources/read"];

/**
 * What the schema cannot say about `cache` and `limits.concurrency`: names used twice, and a
 * cache rule limited to methods that are never cached (it would silently cache nothing).
 */
export function checkCapacity(raw: Record<string, unknown>, issues: ConfigIssue[]): void {
  const cache = isRecord(raw.cache) ? raw.cache : {};
  const limits = isRecord(raw.limits) ? raw.limits : {};
  uniqueNames(cache.rules, "cache.rules", "cache rule", issues);
  uniqueNames(limits.concurrency, "limits.concurrency", "concurrency cap", issues);
  listOf(cache.rules).forEach((rule, i) => {
    const methods = isRecord(rule.match) ? rule.match.methods : undefined;
    if (!Array.isArray(methods)) return;
    methods.forEach((method, j) => {
      if (typeof method === "string" && !CACHED_METHODS.includes(method)) {
        issues.push({ path: `cache.rules[${i}].match.methods[${j}]`, message: `can never match: only ${CACHED_METHODS.join(" and ")} answers are cached (got "${method}")` });
      }
    });
  });
}

function uniqueNames(list: unknown, base: string, what: string, issues: ConfigIssue[]): void {
  const seen = new Map<string, string>();
  listOf(list).forEach((item, i) => {
    if (typeof item.name !== "string") return;
    const first = seen.get(item.name);
    if (first) issues.push({ path: `${base}[${i}].name`, message: `${what} name "${item.name}" is already used at ${first}` });
    else seen.set(item.name, `${base}[${i}]`);
  });
}

function listOf(value: unknown): Array<Record<string, unknown>> {
  return Array.isArray(value) ? value.map((item) => (isRecord(item) ? item : {})) : [];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
