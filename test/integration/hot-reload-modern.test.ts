// Hot reload with a 2026-07-28 client: its session-less scope holds upstream sessions of
// per-client backends like a legacy session does, and a reload reconciles them the same way.
import { renameSync, writeFileSync } from "node:fs";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { afterAll, expect, it } from "vitest";
import { isAlive, recorderBackend, refusal, textOf, waitFor } from "../support/mcp-clients.js";
import { type ProxyProcess, runProxyOnFile, writeConfig } from "../support/proxy-process.js";

let proxy: ProxyProcess | undefined;
let client: Client | undefined;
afterAll(async () => {
  await client?.close().catch(() => undefined);
  await proxy?.stop();
});

/** A fresh proxy on a config file with these backends (the last test's stopped), and a modern client of it. */
async function restartWith(backends: Record<string, unknown>): Promise<{ file: string; modern: Client }> {
  await client?.close().catch(() => undefined);
  await proxy?.stop();
  const file = writeConfig(config(backends));
  proxy = await runProxyOnFile(file);
  client = new Client({ name: "modern", version: "1" }, { capabilities: {}, versionNegotiation: { mode: { pin: "2026-07-28" } } });
  await client.connect(new StreamableHTTPClientTransport(new URL(proxy.url!)));
  return { file, modern: client };
}

const config = (backends: Record<string, unknown>) => ({
  version: 1,
  backends,
  bindings: [{ transport: "http", port: 0 }],
  limits: { initializeWaitMs: 30_000 },
  reload: { debounceMs: 50 },
  audit: { enabled: false },
  logging: { level: "warn" },
});

it("stops a removed per-client backend's upstream of a modern caller, and serves the added one to it, telling its listen stream", async () => {
  const file = writeConfig(config({ crm: recorderBackend("crm") }));
  proxy = await runProxyOnFile(file);
  client = new Client({ name: "modern", version: "1" }, { capabilities: {}, versionNegotiation: { mode: { pin: "2026-07-28" } } });
  await client.connect(new StreamableHTTPClientTransport(new URL(proxy.url!)));
  const pid = Number(textOf(await client.callTool({ name: "crm__pid", arguments: {} })));
  expect(isAlive(pid)).toBe(true);
  const changed: unknown[] = [];
  client.setNotificationHandler("notifications/tools/list_changed", (n) => void changed.push(n.params));
  const subscription = await client.listen({ toolsListChanged: true });

  writeFileSync(`${file}.tmp`, JSON.stringify(config({ docs: recorderBackend("docs") })));
  renameSync(`${file}.tmp`, file);
  expect(await waitFor(async () => (await client!.listTools()).tools.some((t) => t.name === "docs__pid"), 10_000)).toBe(true);
  expect((await client.listTools()).tools.map((t) => t.name).filter((n) => n.startsWith("crm__"))).toEqual([]);
  expect((await refusal(client.callTool({ name: "crm__pid", arguments: {} }))).code).toBe(-32602);
  // The removed backend's process of this caller's scope is gone, not left until the scope idles out.
  expect(await waitFor(() => !isAlive(pid), 10_000)).toBe(true);
  expect(textOf(await client.callTool({ name: "docs__whoami", arguments: {} }))).toBe("docs");
  // The caller's listen stream heard that its tool list changed.
  expect(await waitFor(() => changed.length > 0, 5000)).toBe(true);
  await subscription.close();
}, 60_000);

it("tells a modern caller's listen stream when a policy-only reload hides a tool from it", async () => {
  const hub = { hub: recorderBackend("hub", { session: "shared" }) };
  const { file, modern } = await restartWith(hub);
  expect((await modern.listTools()).tools.map((t) => t.name)).toContain("hub__search");
  const changed: unknown[] = [];
  modern.setNotificationHandler("notifications/tools/list_changed", (n) => void changed.push(n.params));
  const subscription = await modern.listen({ toolsListChanged: true });

  const denySearch = { ...config(hub), policies: { default: "allow", rules: [{ name: "no-search", effect: "deny", match: { names: ["hub__search"] } }] } };
  writeFileSync(`${file}.tmp`, JSON.stringify(denySearch));
  renameSync(`${file}.tmp`, file);
  expect(await waitFor(() => changed.length > 0, 10_000)).toBe(true);
  expect((await modern.listTools()).tools.map((t) => t.name)).not.toContain("hub__search");
  await subscription.close();
}, 60_000);

it("decides each listen stream's resource URIs anew: after a reload denies a URI, a second stream of the caller does not get it", async () => {
  const hub = { hub: recorderBackend("hub", { session: "shared" }) };
  const { file, modern } = await restartWith(hub);
  const uri = "recorder://hub/info";
  const first = await modern.listen({ resourceSubscriptions: [uri] });
  expect(first.honoredFilter.resourceSubscriptions).toEqual([uri]);

  const denyInfo = { ...config(hub), policies: { default: "allow", rules: [{ name: "no-info", effect: "deny", match: { names: [uri] } }] } };
  writeFileSync(`${file}.tmp`, JSON.stringify(denyInfo));
  renameSync(`${file}.tmp`, file);
  expect(await waitFor(async () => (await modern.readResource({ uri }).then(() => false, () => true)), 10_000)).toBe(true);
  // The first stream still holds the backend's subscription; the rule now says no to this caller.
  const second = await modern.listen({ resourceSubscriptions: [uri] });
  expect(second.honoredFilter.resourceSubscriptions).toEqual([]);
  await second.close();
  await first.close();
}, 60_000);
