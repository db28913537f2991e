import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../support/cli.js";
import { textOf, waitFor } from "../support/mcp-clients.js";
import { descendants, rssBytes } from "../support/process-tree.js";
import { type ProxyProcess, runProxyOnFile } from "../support/proxy-process.js";

/** The README's documented bounds for the default config (two per-client stdio backends, memory shared). */
const RECLAIM_MS = 15_000 * 1.25;
/** Each stdio backend is two processes (its `sh` guard and the server); callers below are clients 0, 20 and 40. */
const CALLERS = 3;
const MAX_PROCESSES = 2 * (3 + CALLERS);
const MAX_RSS_BYTES = 700 * 1024 * 1024;

let proxy: ProxyProcess;

/**
 * The default config exactly as `npm start` runs it from the repository, on port 0: the
 * config module itself is imported, only the port changes.
 */
function defaultConfigOnPortZero(): string {
  const dir = mkdtempSync(join(tmpdir(), "mcp-proxy-default-"));
  const file = join(dir, "mcp-proxy.config.ts");
  writeFileSync(
    file,
    `import base from ${JSON.stringify(`${REPO_ROOT}mcp-proxy.config.ts`)};
const repo = ${JSON.stringify(REPO_ROOT.replace(/\/$/, ""))};
export default (ctx) => {
  const config = base({ ...ctx, configDir: repo });
  const backends = Object.fromEntries(Object.entries(config.backends).map(([name, b]) => [name, { ...b, cwd: repo }]));
  return { ...config, $schema: undefined, backends, bindings: [{ ...config.bindings[0], port: 0 }] };
};
`,
  );
  return file;
}

beforeAll(async () => {
  proxy = await runProxyOnFile(defaultConfigOnPortZero());
}, 30_000);

afterAll(async () => {
  await proxy?.stop();
});

describe("clients that leave without ending their session", () => {
  it("hold a bounded number of processes, all reclaimed within the documented time", async () => {
    const root = proxy.child.pid!;
    const before = descendants(root).length;
    let most = before;
    let mostRss = 0;
    const sample = () => {
      const pids = descendants(root);
      most = Math.max(most, pids.length);
      mostRss = Math.max(mostRss, rssBytes([root, ...pids]));
    };
    for (let i = 0; i < 60; i++) {
      // What the MCP Inspector CLI does: connect, list, maybe call, close without DELETE.
      const client = new Client({ name: `short-lived-${i}`, version: "1.0.0" });
      await client.connect(new StreamableHTTPClientTransport(new URL(proxy.url!)), { timeout: 30_000 });
      const tools = (await client.listTools()).tools.map((t) => t.name);
      expect(tools).toEqual(expect.arrayContaining(["everything__echo", "files__read_text_file", "memory__read_graph"]));
      if (i % 20 === 0) expect(textOf(await client.callTool({ name: "everything__echo", arguments: { message: `hi ${i}` } }))).toBe(`Echo: hi ${i}`);
      sample();
      await client.close();
    }
    const finished = Date.now();
    const reclaimed = await waitFor(() => (sample(), descendants(root).length <= before), RECLAIM_MS + 5_000, 250);
    console.log(`short-lived clients: ${before} processes before, at most ${most}, RSS at most ${Math.round(mostRss / 2 ** 20)} MiB, back to ${descendants(root).length} after ${Date.now() - finished} ms`);
    expect(most).toBeLessThanOrEqual(MAX_PROCESSES);
    expect(mostRss).toBeLessThanOrEqual(MAX_RSS_BYTES);
    expect(reclaimed).toBe(true);
  }, 90_000);
});
