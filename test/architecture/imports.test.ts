import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../support/cli.js";

// The folder arrows of src/ (README, "Layout"): imports only point down, and no file imports
// itself back through others. Type-only imports count: a type cycle is still a cycle to read.

const SRC = join(REPO_ROOT, "src");

/** Which folders each folder may import from (besides itself). */
const ALLOWED: Record<string, readonly string[]> = {
  core: [],
  config: ["core", "policy", "filters"],
  policy: ["core"],
  filters: ["core"],
  audit: ["core"],
  compile: ["core", "config", "policy", "filters"],
  backends: ["core"],
  bindings: ["core"],
  runtime: ["core", "config", "compile", "backends", "bindings", "audit"],
  cli: ["core", "config", "compile", "runtime", "audit", "policy", "filters"],
  ".": ["config", "core"],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? sourceFiles(join(dir, d.name)) : d.name.endsWith(".ts") ? [join(dir, d.name)] : []));
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\b[^;]*?\bfrom\s+["']([^"']+)["']|(?:^|\n)\s*import\s+["']([^"']+)["']/g;

function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const found: string[] = [];
  for (const match of text.matchAll(IMPORT)) {
    const spec = match[1] ?? match[2]!;
    if (spec.startsWith(".")) found.push(resolve(dirname(file), spec.replace(/\.js$/, ".ts")));
  }
  return found;
}

const folderOf = (file: string) => {
  const rel = relative(SRC, file).split("/");
  return rel.length === 1 ? "." : rel[0]!;
};

export function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, "open");
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === "open") cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, "done");
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node);
  return cycles;
}

const files = sourceFiles(SRC);
const graph = new Map(files.map((f) => [f, importsOf(f)] as const));
const rel = (f: string) => relative(REPO_ROOT, f);

describe("src/ imports", () => {
  it("finds the imports it checks (the scan itself works)", () => {
    expect(graph.get(join(SRC, "runtime/gateway.ts"))).toContain(join(SRC, "compile/compile.ts"));
    expect(findCycles(new Map([["a", ["b"]], ["b", ["a"]]]))).toEqual([["a", "b", "a"]]);
  });

  it("has no file import cycle", () => {
    expect(findCycles(graph).map((cycle) => cycle.map(rel).join(" → "))).toEqual([]);
  });

  it("only points down the folder layers (bindings and backends never import config)", () => {
    const violations: string[] = [];
    for (const [file, imports] of graph) {
      const from = folderOf(file);
      for (const target of imports) {
        const to = folderOf(target);
        if (to !== from && !ALLOWED[from]?.includes(to)) violations.push(`${rel(file)} imports ${rel(target)}`);
      }
    }
    expect(violations).toEqual([]);
  });
});
