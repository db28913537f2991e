import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { createJiti } from "jiti";

const require = createRequire(import.meta.url);

/**
 * The package entry (src/index.ts under the tests, dist/index.js once built). A config's
 * `import { defineProxy } from "mcp-portcullis"` is pointed here, so a config always gets
 * the helpers of the proxy that loads it, never a different installed copy.
 */
const OWN_ENTRY = fileURLToPath(new URL(import.meta.url.endsWith(".ts") ? "../index.ts" : "../index.js", import.meta.url));

export interface LoadedModule {
  readonly exported: unknown;
  /** The module's named export `tests` (policy test cases kept in the config), if it has one. */
  readonly tests?: unknown;
  /** Every local file the module imported, itself included: what hot reload must watch. */
  readonly dependencies: readonly string[];
}

/**
 * Loads a JS or TS config module through jiti, so a `.ts` config may import sibling
 * `.ts` files. Each call evaluates fresh code (a reload must see edits) and reports the
 * files it pulled in, read off Node's module cache, which it then cleans.
 */
export async function loadConfigModule(file: string): Promise<LoadedModule> {
  const before = new Set(Object.keys(require.cache));
  const jiti = createJiti(import.meta.url, {
    moduleCache: true,
    fsCache: false,
    sourceMaps: true,
    alias: { "mcp-portcullis": OWN_ENTRY },
  });
  const collect = () => {
    const added = Object.keys(require.cache).filter((key) => !before.has(key));
    for (const key of added) delete require.cache[key];
    return added.filter((key) => !key.includes("/node_modules/") && key !== OWN_ENTRY && !key.startsWith(srcRoot()));
  };
  try {
    const namespace = await jiti.import<Record<string, unknown>>(file);
    // The default export is the config; a module without one is its own config (CommonJS style).
    const hasDefault = typeof namespace === "object" && namespace !== null && "default" in namespace;
    const exported = hasDefault ? namespace.default : namespace;
    const tests = hasDefault ? namespace.tests : undefined;
    return { exported, ...(tests === undefined ? {} : { tests }), dependencies: withFirst(file, collect()) };
  } catch (error) {
    collect();
    throw error;
  }
}

function srcRoot(): string {
  return fileURLToPath(new URL("../", import.meta.url));
}

function withFirst(file: string, files: readonly string[]): string[] {
  return [file, ...files.filter((f) => f !== file)];
}
