import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Identity } from "../../core/context.js";
import { UsageError } from "../io.js";

/** A request as a policy command takes it: what a client would send, without the JSON-RPC envelope. */
export interface RequestInput {
  readonly method: string;
  readonly name?: string;
  readonly uri?: string;
  readonly arguments?: Readonly<Record<string, unknown>>;
  /** Case files only: the time the decision is made at (ISO 8601); now when absent. */
  readonly time?: string;
  /** Case files only: labels the session has already seen. */
  readonly labelsSeen?: readonly string[];
}

/**
 * An option value that is JSON: inline when it starts with `{` or `[`, otherwise a file path
 * (relative to the working directory). A mistake is a usage error naming the option.
 */
export function readJsonOption(value: string, option: string, cwd: string, alternative = ""): unknown {
  const text = value.trimStart();
  if (text.startsWith("{") || text.startsWith("[")) return parseJson(text, `${option}`);
  let content: string;
  try {
    content = readFileSync(resolve(cwd, value), "utf8");
  } catch (error) {
    throw new UsageError(`${option}: cannot read ${value} (${(error as NodeJS.ErrnoException).code ?? "error"}); give a JSON file or inline JSON${alternative}`);
  }
  return parseJson(content, `${option} ${value}`);
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${where}: not valid JSON (${(error as Error).message})`);
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
const isStringList = (value: unknown): value is string[] => Array.isArray(value) && value.every((v) => typeof v === "string");

/** `{ sub, roles?, scopes?, claims?, iss? }` → Identity; anything else is a usage error saying what is wrong. */
export function toIdentity(value: unknown, where: string): Identity {
  if (!isRecord(value) || typeof value.sub !== "string") throw new UsageError(`${where}: an identity is an object with "sub" (a string), optional "roles", "scopes", "claims", "iss"`);
  if (value.roles !== undefined && !isStringList(value.roles)) throw new UsageError(`${where}: "roles" must be a list of strings`);
  if (value.scopes !== undefined && !isStringList(value.scopes)) throw new UsageError(`${where}: "scopes" must be a list of strings`);
  if (value.claims !== undefined && !isRecord(value.claims)) throw new UsageError(`${where}: "claims" must be an object`);
  if (value.iss !== undefined && typeof value.iss !== "string") throw new UsageError(`${where}: "iss" must be a string`);
  return { sub: value.sub, ...(value.iss === undefined ? {} : { iss: value.iss }), roles: value.roles ?? [], scopes: value.scopes ?? [], claims: value.claims ?? {} };
}

/** `{ method, name?, uri?, arguments? }` → RequestInput, checked. */
export function toRequest(value: unknown, where: string): RequestInput {
  if (!isRecord(value) || typeof value.method !== "string") throw new UsageError(`${where}: a request is an object with "method" (e.g. "tools/call"), and "name" or "uri"`);
  for (const key of ["name", "uri", "time"] as const) {
    if (value[key] !== undefined && typeof value[key] !== "string") throw new UsageError(`${where}: "${key}" must be a string`);
  }
  if (value.arguments !== undefined && !isRecord(value.arguments)) throw new UsageError(`${where}: "arguments" must be an object`);
  if (value.labelsSeen !== undefined && !isStringList(value.labelsSeen)) throw new UsageError(`${where}: "labelsSeen" must be a list of strings`);
  if (value.time !== undefined && Number.isNaN(Date.parse(value.time as string))) throw new UsageError(`${where}: "time" is not an ISO 8601 time`);
  return value as unknown as RequestInput;
}
