import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { defaultLoaders } from "cosmiconfig";
import type { Identity } from "../../core/context.js";
import { UsageError } from "../io.js";
import { type RequestInput, toIdentity, toRequest } from "./inputs.js";

/** File names looked for beside the config, in this order. */
export const CASES_FILES = ["mcp-proxy.test.yaml", "mcp-proxy.test.yml"] as const;

/** The lists a `visible` case can check, by the names MCP gives them. */
export const VISIBLE_KINDS = ["tools", "prompts", "resources", "resourceTemplates"] as const;
export type VisibleKind = (typeof VISIBLE_KINDS)[number];

export type ExpectedDecision = "allow" | "deny" | "hidden";

/** One policy test case: a request and the decision expected, or a caller and what it must see. */
export interface PolicyCase {
  readonly name: string;
  readonly identity: Identity;
  /** The identity's name in `identities`, when the case named one. */
  readonly identityName?: string;
  readonly request?: RequestInput;
  readonly expect?: { readonly decision: ExpectedDecision; readonly rule?: string };
  /** Exact sets of exposed names (globs allowed), per list given. */
  readonly visible?: Partial<Record<VisibleKind, readonly string[]>>;
}

/** The test cases kept beside a config. */
export interface PolicyCases {
  /** Where they came from: the YAML file, or the config file for a `tests` export. */
  readonly source: string;
  readonly identities: ReadonlyMap<string, Identity>;
  /** Absolute path of the surface snapshot `visible` cases are checked against, if one is named. */
  readonly snapshot?: string;
  readonly cases: readonly PolicyCase[];
}

/**
 * Finds the test cases of a config: `mcp-proxy.test.yaml` beside it, or the config module's
 * `tests` export. Both at once is ambiguous (a usage error); neither gives undefined.
 */
export function findCases(configFile: string, testsExport: unknown): PolicyCases | undefined {
  const folder = dirname(configFile);
  const yamlFile = CASES_FILES.map((name) => join(folder, name)).find((file) => existsSync(file));
  if (yamlFile !== undefined && testsExport !== undefined) {
    throw new UsageError(`both ${yamlFile} and a "tests" export in ${configFile}: keep the test cases in one place`);
  }
  if (yamlFile !== undefined) {
    let raw: unknown;
    try {
      raw = defaultLoaders[".yaml"](yamlFile, readFileSync(yamlFile, "utf8"));
    } catch (error) {
      throw new UsageError(`${yamlFile}: cannot be parsed (${((error as Error).message.split("\n")[0] ?? "").trim()})`);
    }
    return parseCases(raw, yamlFile, folder);
  }
  return testsExport === undefined ? undefined : parseCases(testsExport, configFile, folder);
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** Checks the shape of a cases document; every mistake is a usage error naming where it is. */
export function parseCases(raw: unknown, source: string, folder: string): PolicyCases {
  if (!isRecord(raw)) throw new UsageError(`${source}: test cases are an object with "cases" (and optional "identities", "snapshot")`);
  const identities = new Map<string, Identity>();
  if (raw.identities !== undefined) {
    if (!isRecord(raw.identities)) throw new UsageError(`${source}: "identities" must map names to identities`);
    for (const [name, value] of Object.entries(raw.identities)) identities.set(name, toIdentity(value, `${source}: identities.${name}`));
  }
  if (raw.snapshot !== undefined && typeof raw.snapshot !== "string") throw new UsageError(`${source}: "snapshot" must be a file path`);
  const cases = raw.cases ?? [];
  if (!Array.isArray(cases)) throw new UsageError(`${source}: "cases" must be a list`);
  const names = new Set<string>();
  const parsed = cases.map((value, i): PolicyCase => {
    const at = `${source}: cases[${i}]`;
    if (!isRecord(value) || typeof value.name !== "string") throw new UsageError(`${at}: a case needs a "name"`);
    if (names.has(value.name)) throw new UsageError(`${at}: another case is already named "${value.name}"`);
    names.add(value.name);
    const where = `${at} ("${value.name}")`;
    const identity = identityOf(value.as, identities, where);
    if ((value.request === undefined) === (value.visible === undefined)) throw new UsageError(`${where}: give either "request" (with "expect") or "visible"`);
    if (value.request !== undefined) {
      const request = toRequest({ ...(value.request as object), ...pick(value, ["time", "labelsSeen"]) }, `${where}: request`);
      return { name: value.name, ...identity, request, expect: expectationOf(value.expect, where) };
    }
    return { name: value.name, ...identity, visible: visibleOf(value.visible, where) };
  });
  return { source, identities, ...(raw.snapshot === undefined ? {} : { snapshot: resolve(folder, raw.snapshot) }), cases: parsed };
}

function pick(value: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => value[k] !== undefined).map((k) => [k, value[k]]));
}

function identityOf(as: unknown, identities: ReadonlyMap<string, Identity>, where: string): { identity: Identity; identityName?: string } {
  if (typeof as === "string") {
    const identity = identities.get(as);
    if (!identity) throw new UsageError(`${where}: "as: ${as}" names no identity (known: ${[...identities.keys()].join(", ") || "none"})`);
    return { identity, identityName: as };
  }
  return { identity: toIdentity(as, `${where}: as`) };
}

function expectationOf(value: unknown, where: string): PolicyCase["expect"] {
  if (!isRecord(value) || !["allow", "deny", "hidden"].includes(value.decision as string)) {
    throw new UsageError(`${where}: "expect" needs "decision": allow, deny or hidden`);
  }
  if (value.rule !== undefined && typeof value.rule !== "string") throw new UsageError(`${where}: "expect.rule" must be a rule name`);
  return { decision: value.decision as ExpectedDecision, ...(value.rule === undefined ? {} : { rule: value.rule as string }) };
}

function visibleOf(value: unknown, where: string): PolicyCase["visible"] {
  if (!isRecord(value)) throw new UsageError(`${where}: "visible" maps ${VISIBLE_KINDS.join(", ")} to lists of names (globs allowed)`);
  const out: Partial<Record<VisibleKind, readonly string[]>> = {};
  for (const [key, names] of Object.entries(value)) {
    if (!(VISIBLE_KINDS as readonly string[]).includes(key)) throw new UsageError(`${where}: "visible.${key}" is not one of ${VISIBLE_KINDS.join(", ")}`);
    if (!Array.isArray(names) || !names.every((n) => typeof n === "string")) throw new UsageError(`${where}: "visible.${key}" must be a list of names`);
    out[key as VisibleKind] = names;
  }
  return out;
}
