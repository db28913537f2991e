import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { connectClient, recorderBackend, type TestClient, textOf, waitFor } from "../support/mcp-clients.js";
import { descendants } from "../support/process-tree.js";
import { runProxyOnFile, writeConfig } from "../support/proxy-process.js";

// SIGTERM while clients call without pause (issue 13): every call the gateway had received
// when the signal came is answered, every answered call has its audit line in the file, no
// backend process outlives the gateway, and the exit code is 0.

const CLIENTS = 6;

describe("SIGTERM under load", () => {
  it("answers every call under way, writes every audit line, leaves no child, exits 0", async () => {
    const file = writeConfig({});
    const audit = join(dirname(file), "audit.jsonl");
    writeFileSync(
      file,
      JSON.stringify({
        version: 1,
        backends: { hub: recorderBackend("hub", { session: "shared" }), own: recorderBackend("own") },
        bindings: [{ transport: "http", port: 0 }],
        limits: { initializeWaitMs: 30_000, shutdownGraceMs: 10_000 },
        audit: { sink: "file", file: "audit.jsonl" },
      }),
    );
    const proxy = await runProxyOnFile(file);
    const pid = proxy.child.pid!;
    const clients: TestClient[] = [];
    for (let i = 0; i < CLIENTS; i++) clients.push(await connectClient("http", { url: proxy.url }, { name: `load-${i}` }));
    let signalled = false;
    let answered = 0;
    const lost: string[] = [];
    const loop = async (c: TestClient, n: number) => {
      for (let k = 0; !signalled; k++) {
        const tool = k % 3 === 0 ? "hub__slow" : k % 3 === 1 ? "own__whoami" : "hub__whoami";
        const args = tool === "hub__slow" ? { ms: 300 } : {};
        try {
          const text = textOf(await c.client.callTool({ name: tool, arguments: args }));
          answered += 1;
          if (!text) lost.push(`client ${n}: empty answer to ${tool}`);
        } catch (error) {
          // Sent before the signal: it was under way, and must have been answered.
          lost.push(`client ${n} ${tool}: ${(error as Error).message}`);
        }
      }
    };
    const loops = clients.map((c, i) => loop(c, i));
    await new Promise((resolve) => setTimeout(resolve, 5000));
    // The loops stop issuing before the signal, so every call they wait on was sent before it.
    signalled = true;
    proxy.child.kill("SIGTERM");
    await Promise.all(loops);
    const code = proxy.child.exitCode ?? (await new Promise((resolve) => proxy.child.once("exit", resolve)));
    expect(code).toBe(0);
    expect(lost).toEqual([]);
    expect(answered).toBeGreaterThan(CLIENTS * 3);
    const lines = existsSync(audit) ? readFileSync(audit, "utf8").trim().split("\n").map((l) => JSON.parse(l) as { method?: string; status?: string }) : [];
    expect(lines.filter((l) => l.method === "tools/call" && l.status === "ok")).toHaveLength(answered);
    expect(await waitFor(() => descendants(pid).length === 0, 5000)).toBe(true);
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
  });
});
