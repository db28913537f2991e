import { type ConfigIssue, joinPath } from "./config-issue.js";
import { eraConflict } from "./backend-era.js";
import { isLoopbackHost } from "../core/loopback.js";
import { checkPattern } from "../filters/index.js";
import { ruleReads } from "../policy/index.js";
import { checkCapacity } from "./capacity-checks.js";
import { checkAdminAndTracing } from "./admin-checks.js";
import { checkBackendAuth } from "./backend-auth-checks.js";
import { checkJsonLogic } from "./json-logic-check.js";
import { checkHttpEdge, checkJwt } from "./identity-checks.js";

/**
 * Checks the schema cannot express: references between sections, name collisions,
 * rules that would never run as written. They run even when the schema check failed,
 * so a user sees every mistake in one pass; hence every access here is defensive.
 */
export function checkSemantics(raw: unknown): ConfigIssue[] {
  if (!isRecord(raw)) return [];
  const backends = isRecord(raw.backends) ? raw.backends : {};
  const backendNames = new Set(Object.keys(backends));
  const issues: ConfigIssue[] = [];
  checkBackends(backends, issues);
  checkBackendAuth(backends, issues);
  checkBackendReferences(raw, backendNames, issues);
  checkExposedNames(raw, backends, issues);
  checkBindings(raw.bindings, issues);
  checkExposure(raw, issues);
  checkPolicies(raw.policies, issues);
  checkFilters(raw.filters, issues);
  checkOperations(raw, issues);
  checkCapacity(raw, issues);
  checkAdminAndTracing(raw, issues);
  checkLiteralCredentials(raw, backends, issues);
  return issues;
}

/** Header and variable names that carry credentials by convention. */
const CREDENTIAL_NAME = /^(authorization|proxy-authorization|cookie)$|token|secret|password|passwd|api[-_]?key|(^|[-_])key$/i;
/** `scheme://user:password@host`, anywhere in a value (DATABASE_URL=postgres://u:pw@h/db). */
const URL_WITH_PASSWORD = /[a-z][a-z0-9+.-]*:\/\/[^\s/@:]*:[^\s/@]+@/i;
const LITERAL_PASSWORD = "holds a password written literally; use a secret reference { env: NAME } or { file: path }";

/**
 * Secrets are references, never literals: a config lives in git. A literal value under a
 * credential-looking name, or a URL with a password in it, is refused (the message never
 * repeats the value), so `print-config` can never print one either.
 */
function checkLiteralCredentials(raw: Record<string, unknown>, backends: Record<string, unknown>, issues: ConfigIssue[]): void {
  for (const [name, backend] of Object.entries(backends)) {
    if (!isRecord(backend)) continue;
    if (typeof backend.url === "string" && URL_WITH_PASSWORD.test(backend.url)) issues.push({ path: `backends.${name}.url`, message: LITERAL_PASSWORD });
    for (const section of ["headers", "env"] as const) {
      const map = backend[section];
      if (!isRecord(map)) continue;
      for (const [key, value] of Object.entries(map)) {
        if (typeof value !== "string") continue;
        const path = `backends.${name}.${section}.${key}`;
        if (CREDENTIAL_NAME.test(key)) {
          issues.push({ path, message: "looks like a credential written literally; use a secret reference { env: NAME } or { file: path }" });
        } else if (URL_WITH_PASSWORD.test(value)) {
          issues.push({ path, message: LITERAL_PASSWORD });
        }
      }
    }
  }
  const store = isRecord(raw.limits) && isRecord(raw.limits.store) ? raw.limits.store : undefined;
  if (typeof store?.url === "string" && URL_WITH_PASSWORD.test(store.url)) {
    issues.push({ path: "limits.store.url", message: LITERAL_PASSWORD });
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function entries(value: unknown): Array<[number, Record<string, unknown>]> {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item, i) => (isRecord(item) ? [[i, item] as [number, Record<string, unknown>]] : []));
}

function checkBackends(backends: Record<string, unknown>, issues: ConfigIssue[]): void {
  const namespaces = new Map<string, string>();
  for (const [name, backend] of Object.entries(backends)) {
    if (!isRecord(backend)) continue;
    const path = joinPath("backends", name);
    if ((backend.transport === "http" || backend.transport === "sse") && typeof backend.url === "string") {
      const problem = urlProblem(backend.url);
      if (problem) issues.push({ path: joinPath(path, "url"), message: problem });
    }
    const eraProblem = eraConflict(backend as Parameters<typeof eraConflict>[0]);
    if (eraProblem) issues.push({ path: joinPath(path, "versionNegotiation"), message: eraProblem });
    const namespace = typeof backend.namespace === "string" ? backend.namespace : name;
    const owner = namespaces.get(namespace);
    if (owner !== undefined) {
      issues.push({
        path: typeof backend.namespace === "string" ? joinPath(path, "namespace") : path,
        message: `namespace "${namespace}" is already used by backends.${owner}`,
      });
    } else namespaces.set(namespace, name);
  }
}

function urlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `must be an absolute http:// or https:// URL (got ${JSON.stringify(url)})`;
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    return `must use http:// or https:// (got ${parsed.protocol}//)`;
  }
  return undefined;
}

function checkBackendReferences(raw: Record<string, unknown>, known: Set<string>, issues: ConfigIssue[]): void {
  const expect = (value: unknown, path: string) => {
    if (typeof value === "string" && !known.has(value)) {
      issues.push({ path, message: `names unknown backend "${value}"; known: ${[...known].join(", ") || "none"}` });
    }
  };
  for (const [i, route] of entries(raw.routes)) expect(route.backend, joinPath(joinPath("routes", i), "backend"));
  const matchLists: Array<[string, unknown]> = [
    ["policies.rules", isRecord(raw.policies) ? raw.policies.rules : undefined],
    ["filters", raw.filters],
    ["limits.rateLimits", isRecord(raw.limits) ? raw.limits.rateLimits : undefined],
    ["limits.concurrency", isRecord(raw.limits) ? raw.limits.concurrency : undefined],
    ["cache.rules", isRecord(raw.cache) ? raw.cache.rules : undefined],
  ];
  for (const [base, list] of matchLists) {
    for (const [i, item] of entries(list)) {
      if (!isRecord(item.match) || !Array.isArray(item.match.backends)) continue;
      item.match.backends.forEach((name, j) => expect(name, joinPath(joinPath(joinPath(joinPath(base, i), "match"), "backends"), j)));
    }
  }
}

/** Renames are final names; two items must not end up answering to the same one. */
function checkExposedNames(raw: Record<string, unknown>, backends: Record<string, unknown>, issues: ConfigIssue[]): void {
  const naming = isRecord(raw.naming) ? raw.naming : {};
  const separator = typeof naming.separator === "string" ? naming.separator : "__";
  const prefixAlways = naming.prefix === undefined || naming.prefix === "always";
  const owners = new Map<string, string>();
  const routed = new Map<string, string>();
  for (const [i, route] of entries(raw.routes)) {
    const path = joinPath("routes", i);
    const { backend, kind, name, rename } = route;
    if (typeof backend !== "string" || typeof kind !== "string" || typeof name !== "string") continue;
    const identity = `${kind}\u0000${backend}\u0000${name}`;
    const earlier = routed.get(identity);
    if (earlier) issues.push({ path, message: `overrides ${kind} "${name}" of backend "${backend}" again (first at ${earlier})` });
    else routed.set(identity, path);
    if (rename !== undefined && kind !== "tool" && kind !== "prompt") {
      issues.push({ path: joinPath(path, "rename"), message: `only tools and prompts can be renamed (this route is for a ${kind})` });
      continue;
    }
    if (route.hide === true || (kind !== "tool" && kind !== "prompt")) continue;
    const backendConfig = backends[backend];
    const namespace = isRecord(backendConfig) && typeof backendConfig.namespace === "string" ? backendConfig.namespace : backend;
    // Without a rename the exposed name is only certain when prefixing is unconditional.
    const exposed = typeof rename === "string" ? rename : prefixAlways ? `${namespace}${separator}${name}` : undefined;
    if (exposed === undefined) continue;
    const key = `${kind}\u0000${exposed}`;
    const owner = owners.get(key);
    if (owner) {
      issues.push({ path: joinPath(path, typeof rename === "string" ? "rename" : "name"), message: `exposes ${kind} "${exposed}", already exposed by ${owner}` });
    } else owners.set(key, `${path} (${backend}/${name})`);
  }
}

function checkBindings(bindings: unknown, issues: ConfigIssue[]): void {
  const ports = new Map<number, string>();
  let stdio: string | undefined;
  for (const [i, binding] of entries(bindings)) {
    const path = joinPath("bindings", i);
    if (binding.transport === "stdio") {
      if (stdio) issues.push({ path, message: `only one stdio binding can exist (first at ${stdio})` });
      stdio ??= path;
    }
    if (binding.transport === "http") issues.push(...checkHttpEdge(binding, path));
    if (binding.transport !== "http" || typeof binding.port !== "number" || binding.port === 0) continue;
    const owner = ports.get(binding.port);
    if (owner) issues.push({ path: joinPath(path, "port"), message: `port ${binding.port} is already bound by ${owner}` });
    else ports.set(binding.port, path);
    const paths = [binding.path ?? "/mcp", ...(binding.legacySse === true ? [binding.ssePath ?? "/sse", binding.messagePath ?? "/message"] : [])];
    if (new Set(paths).size !== paths.length) {
      issues.push({ path, message: `path, ssePath and messagePath must differ (got ${paths.join(", ")})` });
    }
  }
}

/**
 * Listening beyond loopback puts the gateway on a network; nobody should get there by a typo or
 * a copied `0.0.0.0` while auth silently defaults to none. The config must say what it wants:
 * an `auth` section, `{ type: "none" }` being the explicit opt-out.
 */
/** Why a listener beyond loopback is refused without an auth section; `start --host` says the same. */
export function exposureMessage(host: string): string {
  return `listens on ${host}, beyond loopback, but the config has no top-level auth section; add one (auth: { type: "bearer", tokens: [...] }, or auth: { type: "none" } to serve without authentication on purpose)`;
}

function checkExposure(raw: Record<string, unknown>, issues: ConfigIssue[]): void {
  if (raw.auth !== undefined) return;
  for (const [i, binding] of entries(raw.bindings)) {
    if (binding.transport !== "http" || typeof binding.host !== "string" || isLoopbackHost(binding.host)) continue;
    issues.push({ path: joinPath(joinPath("bindings", i), "host"), message: exposureMessage(binding.host) });
  }
}

function checkPolicies(policies: unknown, issues: ConfigIssue[]): void {
  if (!isRecord(policies)) return;
  const names = new Map<string, string>();
  for (const [i, rule] of entries(policies.rules)) {
    const path = joinPath("policies.rules", i);
    if (typeof rule.name === "string") {
      const first = names.get(rule.name);
      if (first) issues.push({ path: joinPath(path, "name"), message: `rule name "${rule.name}" is already used at ${first}` });
      else names.set(rule.name, path);
    }
    const listOnly = Array.isArray(rule.actions) && rule.actions.length > 0 && rule.actions.every((a) => a === "list");
    // Listing ignores shadow rules: one that applies to listing only would never be evaluated.
    if (rule.mode === "shadow" && listOnly) {
      issues.push({ path: joinPath(path, "mode"), message: 'a shadow rule is evaluated on calls only (listing ignores it), but this one applies to list only; give actions: ["call"] or leave actions out' });
    }
    checkDecidedMethods(isRecord(rule.match) ? rule.match.methods : undefined, joinPath(joinPath(path, "match"), "methods"), POLICY_METHODS, issues);
    if (rule.when === undefined) continue;
    const logicIssues = checkJsonLogic(rule.when, joinPath(path, "when"));
    issues.push(...logicIssues);
    // At list time arguments, session and time are unknown, so a list-only rule reading them could never decide.
    if (!listOnly || logicIssues.length > 0) continue;
    const reads = ruleReads({ name: String(rule.name), effect: "allow", when: rule.when });
    const callOnly = [reads.arguments && "request.arguments", reads.session && "session", reads.time && "time"].filter(Boolean);
    if (callOnly.length > 0) {
      issues.push({
        path: joinPath(path, "actions"),
        message: `reads ${callOnly.join(", ")} but applies to list only; ${callOnly.length > 1 ? "they exist" : "it exists"} only when an item is called (use actions: ["call"], or both)`,
      });
    }
  }
}

/** The methods a policy decides: the call methods (a subscription is decided as a read). */
const POLICY_METHODS = ["tools/call", "prompts/get", "resources/read"];
/** The methods whose results filters see (a task's result as the call that created it). */
const FILTER_METHODS = ["tools/call", "prompts/get", "resources/read"];

/** A `match.methods` entry that can never match would make its rule or filter silently do nothing. */
function checkDecidedMethods(methods: unknown, path: string, decided: readonly string[], issues: ConfigIssue[]): void {
  if (!Array.isArray(methods)) return;
  methods.forEach((method, i) => {
    if (typeof method === "string" && !decided.includes(method)) {
      const hint = method === "resources/subscribe" ? " (a subscription is decided as resources/read)" : method === "tasks/result" ? " (a task's result is matched as the tools/call that created it)" : "";
      issues.push({ path: joinPath(path, i), message: `can never match: "${method}" is not one of ${decided.join(", ")}${hint}` });
    }
  });
}

function checkFilters(filters: unknown, issues: ConfigIssue[]): void {
  const names = new Map<string, string>();
  for (const [i, filter] of entries(filters)) {
    checkDecidedMethods(isRecord(filter.match) ? filter.match.methods : undefined, `filters[${i}].match.methods`, FILTER_METHODS, issues);
    if (typeof filter.name === "string") {
      const first = names.get(filter.name);
      if (first) issues.push({ path: `filters[${i}].name`, message: `filter name "${filter.name}" is already used at ${first}` });
      else names.set(filter.name, `filters[${i}]`);
    }
    for (const [j, redaction] of entries(filter.redact)) {
      if (typeof redaction.pattern !== "string") continue;
      const problem = checkPattern(redaction.pattern, typeof redaction.flags === "string" ? redaction.flags : undefined);
      if (problem) issues.push({ path: `filters[${i}].redact[${j}].pattern`, message: problem });
    }
  }
}

function checkOperations(raw: Record<string, unknown>, issues: ConfigIssue[]): void {
  const audit = isRecord(raw.audit) ? raw.audit : {};
  if (audit.sink === "file" && typeof audit.file !== "string") {
    issues.push({ path: "audit.file", message: 'is required when audit.sink is "file"' });
  }
  const servesStdio = entries(raw.bindings).some(([, b]) => b.transport === "stdio");
  if (servesStdio && audit.sink === "stdout") {
    issues.push({ path: "audit.sink", message: "cannot be stdout while a stdio binding uses stdout for the protocol" });
  }
  if ((audit.chain === true || audit.rotate !== undefined) && audit.sink !== "file") {
    issues.push({ path: audit.chain === true ? "audit.chain" : "audit.rotate", message: 'needs audit.sink "file" (a chain and rotation are properties of a file)' });
  }
  const bindingNames = new Map<string, string>();
  for (const [i, binding] of entries(raw.bindings)) {
    if (typeof binding.name !== "string") continue;
    const first = bindingNames.get(binding.name);
    if (first) issues.push({ path: `bindings[${i}].name`, message: `binding name "${binding.name}" is already used at ${first}` });
    else bindingNames.set(binding.name, `bindings[${i}]`);
  }
  if (isRecord(raw.auth) && raw.auth.type === "jwt") issues.push(...checkJwt(raw.auth));
  const names = new Map<string, string>();
  for (const [i, limit] of entries(isRecord(raw.limits) ? raw.limits.rateLimits : undefined)) {
    if (typeof limit.name !== "string") continue;
    const first = names.get(limit.name);
    const path = `limits.rateLimits[${i}].name`;
    if (first) issues.push({ path, message: `rate limit name "${limit.name}" is already used at ${first}` });
    else names.set(limit.name, path);
  }
}
