// A 2026-07-28 backend tells of its changes only on a subscriptions/listen stream: the proxy
// holds one per upstream session, so legacy clients get their unsolicited notifications and
// modern clients get them on their own listen streams. Backends: the SDK v2 server over HTTP
// (createMcpHandler, per-client and shared) and over stdio (serveStdio), configured by
// versionNegotiation (and era, which it names).
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectClient, refusal, SERVERS, startHttpServer, type TestClient, textOf, waitFor } from "../support/mcp-clients.js";
import { type ProxyProcess, startProxyProcess } from "../support/proxy-process.js";

let backend: { url: string; stop(): void };
let sharedBackend: { url: string; stop(): void };
let proxy: ProxyProcess;

beforeAll(async () => {
  backend = await startHttpServer(SERVERS.modern, ["http", "web"]);
  sharedBackend = await startHttpServer(SERVERS.modern, ["http", "hub"]);
  proxy = await startProxyProcess({
    version: 1,
    backends: {
      web: { transport: "http", url: backend.url, versionNegotiation: "auto" },
      hub: { transport: "http", url: sharedBackend.url, session: "shared", era: "modern" },
      pipe: { transport: "stdio", command: process.execPath, args: [SERVERS.modern, "stdio", "pipe"], versionNegotiation: { pin: "2026-07-28" } },
      plain: { transport: "stdio", command: process.execPath, args: [SERVERS.modern, "stdio", "plain"], env: { MODERN_NO_SUBSCRIBE: "1" }, versionNegotiation: { pin: "2026-07-28" } },
    },
    bindings: [{ transport: "http", port: 0 }],
    logging: { level: "warn" },
    audit: { enabled: false },
  });
}, 30_000);
afterAll(async () => {
  await proxy?.stop();
  backend?.stop();
  sharedBackend?.stop();
});

const toolNames = async (client: Client) => (await client.listTools()).tools.map((t) => t.name);

describe("a legacy client in front of modern backends", () => {
  let legacy: TestClient;
  const updated: string[] = [];
  beforeAll(async () => {
    legacy = await connectClient("http", { url: proxy.url! });
    legacy.client.setNotificationHandler("notifications/resources/updated", (n) => void updated.push(String(n.params.uri)));
  });
  afterAll(async () => legacy?.close());

  it.each(["web", "hub", "pipe"])("gets tools/list_changed when %s adds a tool, and then lists it", async (name) => {
    const before = legacy.notifications.length;
    expect(textOf(await legacy.client.callTool({ name: `${name}__grow`, arguments: { tool: "fresh" } }))).toBe("grew fresh");
    expect(await waitFor(() => legacy.notifications.slice(before).includes("notifications/tools/list_changed"))).toBe(true);
    expect(await toolNames(legacy.client)).toContain(`${name}__fresh`);
  });

  it.each(["web", "hub", "pipe"])("gets resources/updated for a URI of %s it subscribed to, and none once unsubscribed", async (name) => {
    const uri = `modern://${name}/info`;
    await legacy.client.subscribeResource({ uri });
    await legacy.client.callTool({ name: `${name}__touch`, arguments: {} });
    expect(await waitFor(() => updated.includes(uri))).toBe(true);
    await legacy.client.unsubscribeResource({ uri });
    updated.length = 0;
    await legacy.client.callTool({ name: `${name}__touch`, arguments: {} });
    // A marker that does arrive: had the URI stayed subscribed, its update would have come first.
    const before = legacy.notifications.length;
    await legacy.client.callTool({ name: `${name}__grow`, arguments: { tool: `marker${updated.length}` } });
    expect(await waitFor(() => legacy.notifications.length > before)).toBe(true);
    expect(updated).toEqual([]);
  });
});

describe("a backend that offers no resource subscriptions", () => {
  it("refuses a subscription to its resource with -32601, and keeps serving", async () => {
    const legacy = await connectClient("http", { url: proxy.url! });
    try {
      expect(await refusal(legacy.client.subscribeResource({ uri: "modern://plain/info" }))).toMatchObject({
        code: -32601,
        message: 'backend "plain" does not offer resource subscriptions',
        data: { backend: "plain", reason: "METHOD_NOT_FOUND" },
      });
      expect(textOf(await legacy.client.callTool({ name: "plain__echo", arguments: { text: "still" } }))).toBe("plain: still");
    } finally {
      await legacy.close();
    }
  });
});

describe("the upstream listen streams", () => {
  it("are one per upstream session, replaced (not added to) when the URIs change, and closed with the session", async () => {
    const watcher = await connectClient("http", { url: proxy.url! });
    const streams = async () => Number(textOf(await watcher.client.callTool({ name: "web__streams", arguments: {} })));
    try {
      const before = await streams(); // the watcher's own session is up (and listening) from here on
      const other = await connectClient("http", { url: proxy.url! });
      expect(textOf(await other.client.callTool({ name: "web__echo", arguments: { text: "up" } }))).toBe("web: up");
      expect(await streams()).toBe(before + 1);
      await other.client.subscribeResource({ uri: "modern://web/info" });
      await other.client.unsubscribeResource({ uri: "modern://web/info" });
      expect(await streams()).toBe(before + 1);
      await other.terminate();
      expect(await waitFor(async () => (await streams()) === before)).toBe(true);
    } finally {
      await watcher.close();
    }
  });
});

describe("a modern client in front of modern backends", () => {
  it("gets both backends' tools/list_changed and resources/updated on its own listen stream", async () => {
    const client = new Client({ name: "modern", version: "1" }, { capabilities: {}, versionNegotiation: { mode: { pin: "2026-07-28" } } });
    const seen: Array<{ method: string; uri?: unknown }> = [];
    client.setNotificationHandler("notifications/tools/list_changed", () => void seen.push({ method: "tools" }));
    client.setNotificationHandler("notifications/resources/updated", (n) => void seen.push({ method: "updated", uri: n.params.uri }));
    await client.connect(new StreamableHTTPClientTransport(new URL(proxy.url!)));
    try {
      const subscription = await client.listen({ toolsListChanged: true, resourceSubscriptions: ["modern://web/info", "modern://pipe/info"] });
      expect(subscription.honoredFilter).toEqual({ toolsListChanged: true, resourceSubscriptions: ["modern://web/info", "modern://pipe/info"] });
      for (const name of ["web", "pipe"]) {
        await client.callTool({ name: `${name}__touch`, arguments: {} });
        expect(await waitFor(() => seen.some((s) => s.method === "updated" && s.uri === `modern://${name}/info`))).toBe(true);
        const before = seen.filter((s) => s.method === "tools").length;
        await client.callTool({ name: `${name}__grow`, arguments: { tool: "late" } });
        expect(await waitFor(() => seen.filter((s) => s.method === "tools").length > before)).toBe(true);
        expect(await toolNames(client)).toContain(`${name}__late`);
      }
      await subscription.close();
    } finally {
      await client.close();
    }
  });
});
