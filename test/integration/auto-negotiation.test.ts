// versionNegotiation "auto" in front of legacy stdio servers that are strict before initialize:
// one ignores the server/discover probe (silence on a pipe means legacy: it starts after the
// probe timeout), one exits on it (it is legacy from its next start on). A modern one is
// spoken to in 2026-07-28.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectClient, SERVERS, type TestClient, textOf } from "../support/mcp-clients.js";
import { type ProxyProcess, startProxyProcess } from "../support/proxy-process.js";

let proxy: ProxyProcess;
let client: TestClient;

beforeAll(async () => {
  const stdio = (args: string[]) => ({ transport: "stdio", command: process.execPath, args, versionNegotiation: "auto", timeouts: { startupMs: 2_000 } });
  proxy = await startProxyProcess({
    version: 1,
    backends: {
      silent: stdio([SERVERS.preInit, "silent", "silent"]),
      exits: stdio([SERVERS.preInit, "exit", "exits"]),
      modern: stdio([SERVERS.modern, "stdio", "modern"]),
    },
    bindings: [{ transport: "http", port: 0 }],
    logging: { level: "warn" },
    audit: { enabled: false },
  });
  client = await connectClient("http", { url: proxy.url! });
}, 30_000);
afterAll(async () => {
  await client?.close();
  await proxy?.stop();
});

describe("versionNegotiation auto over stdio", () => {
  it("serves a legacy server that stays silent before initialize, and one that exits on the probe", async () => {
    const deadline = Date.now() + 15_000;
    let names: string[] = [];
    while (Date.now() < deadline) {
      names = (await client.client.listTools()).tools.map((t) => t.name);
      if (names.includes("silent__hello") && names.includes("exits__hello")) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(names).toEqual(expect.arrayContaining(["silent__hello", "exits__hello", "modern__echo"]));
    expect(textOf(await client.client.callTool({ name: "silent__hello", arguments: {} }))).toBe("silent: hello");
    expect(textOf(await client.client.callTool({ name: "exits__hello", arguments: {} }))).toBe("exits: hello");
    expect(textOf(await client.client.callTool({ name: "modern__echo", arguments: { text: "hi" } }))).toBe("modern: hi");
  }, 30_000);
});
