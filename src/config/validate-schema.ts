import { Ajv2020, type ErrorObject } from "ajv/dist/2020.js";
import { ProxyConfigSchema } from "./schema/index.js";
import { type ConfigIssue, joinPath } from "./config-issue.js";

/** Compiled once per process: validation is a function call, not a schema walk. */
const ajv = new Ajv2020({ allErrors: true, verbose: true, discriminator: true, strict: true, allowUnionTypes: true });
ajv.addKeyword({ keyword: "x-expected", schemaType: "string" });
ajv.addKeyword({ keyword: "x-function", schemaType: "boolean", validate: (_: boolean, data: unknown) => typeof data === "function", errors: false });
const validateAgainstSchema = ajv.compile(ProxyConfigSchema);

/** Checks a raw config against the JSON Schema; returns every issue, each with its path. */
export function checkSchema(raw: unknown): ConfigIssue[] {
  if (validateAgainstSchema(raw)) return [];
  return translateErrors(validateAgainstSchema.errors ?? []);
}

function translateErrors(errors: readonly ErrorObject[]): ConfigIssue[] {
  // A failed anyOf reports one error per branch; the user wants one sentence saying what is accepted.
  const unionPaths = errors.filter((e) => e.keyword === "anyOf").map((e) => e.schemaPath);
  const issues: ConfigIssue[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    if (unionPaths.some((p) => error.schemaPath !== p && error.schemaPath.startsWith(`${p}/`))) continue;
    const issue = translate(error);
    const key = `${issue.path}\u0000${issue.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      issues.push(issue);
    }
  }
  return issues;
}

function pointerToPath(pointer: string): string {
  let path = "";
  for (const raw of pointer.split("/").slice(1)) {
    const segment = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    path = /^\d+$/.test(segment) ? joinPath(path, Number(segment)) : joinPath(path, segment);
  }
  return path;
}

function describeKind(value: unknown): string {
  return value === null ? "null" : Array.isArray(value) ? "an array" : typeof value === "object" ? "an object" : `a ${typeof value}`;
}

function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return `${typeof value} ${String(value)}`;
}

function list(values: readonly unknown[]): string {
  return values.map((v) => JSON.stringify(v)).join(", ");
}

/** Values under these paths may be credentials: errors there say what kind of value was found, never the value. */
const SENSITIVE_PATH = /(^|\.)(headers|env|auth|store)(\.|\[|$)|token|secret|password/i;

function translate(error: ErrorObject): ConfigIssue {
  const path = pointerToPath(error.instancePath);
  const describe = SENSITIVE_PATH.test(path) ? describeKind : describeValue;
  const schema = (error.parentSchema ?? {}) as Record<string, unknown>;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "required":
      return { path: joinPath(path, String(params.missingProperty)), message: "is required" };
    case "additionalProperties": {
      const key = String(params.additionalProperty);
      const known = Object.keys((schema.properties as object | undefined) ?? {});
      if (known.length === 0 && schema.patternProperties) {
        const pattern = Object.keys(schema.patternProperties as object)[0];
        return { path: joinPath(path, key), message: `is not an accepted name (must match ${pattern})` };
      }
      const suggestion = closest(key, known);
      return {
        path: joinPath(path, key),
        message: `is not a known key${suggestion ? ` (did you mean "${suggestion}"?)` : ""}; expected one of: ${known.join(", ")}`,
      };
    }
    case "type":
      return { path, message: `must be ${article(String(params.type))} (got ${describe(error.data)})` };
    case "const":
      return { path, message: `must be ${JSON.stringify(params.allowedValue)} (got ${describe(error.data)})` };
    case "enum":
      return { path, message: `must be one of: ${list(params.allowedValues as unknown[])} (got ${describe(error.data)}${suggest(error.data, params.allowedValues as unknown[], path)})` };
    case "discriminator": {
      const tag = String(params.tag);
      const branches = ((schema.oneOf as Array<{ properties: Record<string, { const: unknown }> }>) ?? []).map((b) => b.properties[tag]?.const);
      return params.error === "tag"
        ? { path: joinPath(path, tag), message: `is required: one of ${list(branches)}` }
        : { path: joinPath(path, tag), message: `must be one of: ${list(branches)} (got ${describeValue(params.tagValue)}${suggest(params.tagValue, branches, tag)})` };
    }
    case "anyOf":
    case "oneOf": {
      // A union of literals (TypeBox's form of an enum) reads best as its list of values.
      const branches = (schema[error.keyword] as Array<Record<string, unknown>> | undefined) ?? [];
      if (branches.length > 0 && branches.every((b) => "const" in b)) {
        const values = branches.map((b) => b.const);
        return { path, message: `must be one of: ${list(values)} (got ${describe(error.data)}${suggest(error.data, values, path)})` };
      }
      return { path, message: `must be ${String(schema["x-expected"] ?? "one of the accepted forms")} (got ${describe(error.data)})` };
    }
    case "pattern":
      return { path, message: `must match ${String(params.pattern)} (got ${describe(error.data)})` };
    case "minimum":
    case "maximum":
      return { path, message: `must be ${error.keyword === "minimum" ? ">=" : "<="} ${String(params.limit)} (got ${describe(error.data)})` };
    case "minLength":
      return { path, message: "must not be empty" };
    case "minItems":
      return { path, message: `must have at least ${String(params.limit)} item(s)` };
    case "x-function":
      return { path, message: `must be ${String(schema["x-expected"])} (got ${describe(error.data)})` };
    case "minProperties":
      return { path, message: `must have at least ${String(params.limit)} entry` };
    default:
      return { path, message: error.message ?? `fails ${error.keyword}` };
  }
}

function article(type: string): string {
  const noun = type === "integer" ? "an integer" : type === "object" ? "an object" : type === "array" ? "an array" : `a ${type}`;
  return type.includes(",") ? `of type ${type}` : noun;
}

/**
 * A hint after a value outside its list: the accepted value it nearly spells, or, when it spells
 * the key itself (`transport: "trasnport"`), the reminder that the value names which one.
 */
function suggest(value: unknown, accepted: readonly unknown[], key: string): string {
  if (typeof value !== "string") return "";
  const names = accepted.filter((v): v is string => typeof v === "string");
  const near = closest(value, names);
  if (near) return `; did you mean ${JSON.stringify(near)}?`;
  const keyName = key.split(/[.[\]]/).filter(Boolean).pop() ?? "";
  if (keyName && closest(value, [keyName])) {
    const options = names.map((n) => JSON.stringify(n));
    return `, the key's own name; did you mean ${options.length > 1 ? `${options.slice(0, -1).join(", ")} or ${options.at(-1)}` : options[0]}?`;
  }
  return "";
}

/** The known key nearest to a misspelling, if it is near enough to be a likely typo. */
function closest(key: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(key.length / 3)) + 1;
  for (const candidate of candidates) {
    const d = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
