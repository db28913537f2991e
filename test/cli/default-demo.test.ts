import { spawn, spawnSync } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../support/cli.js";
import { connectClient, type TestClient, textOf } from "../support/mcp-clients.js";

/** Processes below `root` whose command line contains `marker`. */
function descendants(root: number, marker: string): number {
  const rows = spawnSync("ps", ["-eo", "pid=,ppid=,args="], { encoding: "utf8" })
    .stdout.split("\n")
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), args: m[3]! }));
  const below = new Set([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const row of rows) if (below.has(row.ppid) && !below.has(row.pid)) (below.add(row.pid), (grew = true));
  }
  // The node process itself, not a shell wrapping it.
  return rows.filter((r) => below.has(r.pid) && r.args.startsWith(process.execPath) && r.args.includes(marker)).length;
}

describe("the default demo (README: memory is one graph shared by every client; the others are per client)", () => {
  const proxy = spawn(process.execPath, [`${REPO_ROOT}bin/mcp-proxy.js`, "start", "--port", "0"], { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] });
  afterAll(() => void proxy.kill("SIGTERM"));

  it("two clients see one memory graph, served by one memory process", async () => {
    const url = await new Promise<string>((resolve, reject) => {
      let out = "";
      proxy.stdout.on("data", (d: Buffer) => {
        out += d.toString();
        const found = /Streamable HTTP at (\S+)/.exec(out)?.[1];
        if (found) resolve(found);
      });
      proxy.once("exit", (code) => reject(new Error(`proxy exited with ${code}`)));
    });
    const clients: TestClient[] = [await connectClient("http", { url }, { name: "a" }), await connectClient("http", { url }, { name: "b" })];
    const entity = `demo-test-${process.pid}-${Date.now()}`;
    try {
      const [a, b] = clients as [TestClient, TestClient];
      const created = await a.client.callTool({ name: "memory__create_entities", arguments: { entities: [{ name: entity, entityType: "test", observations: ["written by a"] }] } });
      expect(created.isError ?? false).toBe(false);
      expect(textOf(await b.client.callTool({ name: "memory__read_graph", arguments: {} }))).toContain(entity);
      expect(descendants(proxy.pid!, "server-memory/dist/index.js")).toBe(1);
      await b.client.callTool({ name: "memory__delete_entities", arguments: { entityNames: [entity] } });
    } finally {
      for (const client of clients) await client.terminate();
    }
  });
});
