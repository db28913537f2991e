// Renders docs/config.md from the schema's descriptions, so the reference cannot drift from
// what `validate` enforces; a test compares the file with a fresh rendering.
import { writeFileSync } from "node:fs";
import { ProxyConfigSchema } from "../src/config/schema/index.js";

type Node = Record<string, unknown>;

function typeOf(node: Node): string {
  if (node.const !== undefined) return JSON.stringify(node.const);
  if (Array.isArray(node.anyOf)) {
    const parts = (node.anyOf as Node[]).map(typeOf);
    return parts.every((p) => p.startsWith('"')) ? parts.join(" \\| ") : String(node["x-expected"] ?? parts.join(" \\| "));
  }
  if (Array.isArray(node.oneOf)) return "object (by tag)";
  if (node.type === "array") return `${typeOf(node.items as Node)}[]`;
  if (node.patternProperties) return "map";
  return Array.isArray(node.type) ? node.type.join(" \\| ") : String(node.type ?? "any");
}

function rows(node: Node, path: string, out: string[]): void {
  const required = new Set((node.required as string[]) ?? []);
  for (const [key, child] of Object.entries((node.properties as Record<string, Node>) ?? {})) {
    const childPath = path ? `${path}.${key}` : key;
    const defaultValue = child.default === undefined ? "" : `\`${JSON.stringify(child.default)}\``;
    const description = String(child.description ?? "").replace(/\|/g, "\\|");
    out.push(`| \`${childPath}\` | ${typeOf(child)} | ${required.has(key) ? "yes" : ""} | ${defaultValue} | ${description} |`);
    descend(child, childPath, out);
  }
}

function descend(node: Node, path: string, out: string[]): void {
  if (node.type === "array" && node.items) return descend(node.items as Node, `${path}[]`, out);
  if (node.patternProperties) {
    const [pattern, child] = Object.entries(node.patternProperties as Record<string, Node>)[0]!;
    const name = path.endsWith("backends") ? "<name>" : "<key>";
    out.push(`| \`${path}.${name}\` | ${typeOf(child)} | | | keys match \`${pattern.replace(/\|/g, "\\|")}\`. ${String(child.description ?? "")} |`);
    return descend(child, `${path}.${name}`, out);
  }
  if (Array.isArray(node.oneOf)) {
    for (const branch of node.oneOf as Node[]) {
      const tag = Object.entries((branch.properties as Record<string, Node>) ?? {}).find(([, p]) => p.const !== undefined);
      out.push(`| *${path} with ${tag?.[0]}: ${JSON.stringify(tag?.[1].const)}* | | | | ${String(branch.description ?? "")} |`);
      rows(branch, path, out);
    }
    return;
  }
  if (node.properties) rows(node, path, out);
}

export function renderConfigDocs(): string {
  const out = [
    "# Config reference",
    "",
    "Generated from `src/config/schema` by `npm run docs:write`; do not edit by hand.",
    "Every key here is checked by `mcp-proxy validate`; unknown keys are errors.",
    "",
    "| path | type | required | default | description |",
    "|---|---|---|---|---|",
  ];
  rows(ProxyConfigSchema as unknown as Node, "", out);
  return `${out.join("\n")}\n`;
}

if (process.argv[1]?.endsWith("render-config-docs.ts")) {
  writeFileSync(new URL("../docs/config.md", import.meta.url), renderConfigDocs());
  console.log("wrote docs/config.md");
}
