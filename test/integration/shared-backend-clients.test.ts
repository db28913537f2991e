import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectClient, recorderBackend, SERVERS, type TestClient, textOf, waitFor } from "../support/mcp-clients.js";
import { type ProxyProcess, startProxyProcess } from "../support/proxy-process.js";

// Two clients on one shared backend (one upstream connection, one recorder process): what one
// asks of the backend must not undo or leak into what the other asked.

let proxy: ProxyProcess;
const INFO = "recorder://hub/info";

interface Watched {
  readonly c: TestClient;
  readonly updated: string[];
  readonly logs: string[];
}

async function watchedClient(name: string): Promise<Watched> {
  const c = await connectClient("http", { url: proxy.url }, { name });
  const updated: string[] = [];
  const logs: string[] = [];
  c.client.setNotificationHandler("notifications/resources/updated", (n) => void updated.push(n.params.uri));
  c.client.setNotificationHandler("notifications/message", (n) => void logs.push(String(n.params.data)));
  return { c, updated, logs };
}

const call = async (w: Watched, tool: string, args: Record<string, unknown> = {}) => textOf(await w.c.client.callTool({ name: `hub__${tool}`, arguments: args }));
const state = async (w: Watched) => JSON.parse(await call(w, "state")) as { subscriptions: string[]; logLevel: string | null };
const settle = () => new Promise((resolve) => setTimeout(resolve, 300));
const RAW = { "~standard": { version: 1, vendor: "test", validate: (value: unknown) => ({ value }) } } as never;

beforeAll(async () => {
  proxy = await startProxyProcess({
    version: 1,
    backends: {
      hub: recorderBackend("hub", { session: "shared", env: { RECORDER_SETLEVEL_DELAY_MS: "150" } }),
      everything: { transport: "stdio", command: process.execPath, args: [SERVERS.everything, "stdio"], session: "shared" },
    },
    bindings: [{ transport: "http", port: 0 }],
    logging: { level: "warn" },
  });
}, 30_000);

afterAll(async () => {
  await proxy?.stop();
});

describe("two clients on one shared backend", () => {
  let ann: Watched;
  let bob: Watched;

  beforeAll(async () => {
    ann = await watchedClient("ann");
    bob = await watchedClient("bob");
  });

  afterAll(async () => {
    await Promise.all([ann?.c.close(), bob?.c.close()]);
  });

  it("keeps B's subscription when A unsubscribes, and tells only the subscriber of an update", async () => {
    await ann.c.client.subscribeResource({ uri: INFO });
    await bob.c.client.subscribeResource({ uri: INFO });
    await ann.c.client.unsubscribeResource({ uri: INFO });
    // The backend is still subscribed: Bob's subscription did not go with Ann's.
    expect((await state(bob)).subscriptions).toEqual([INFO]);

    await call(ann, "touch", { uri: INFO });
    expect(await waitFor(() => bob.updated.includes(INFO), 5000)).toBe(true);
    await settle();
    expect(ann.updated).toEqual([]);
    // An update for a URI nobody subscribed to reaches no one.
    await call(bob, "touch", { uri: "recorder://hub/other" });
    await settle();
    expect(bob.updated).toEqual([INFO]);
    expect(ann.updated).toEqual([]);
  });

  it("gives each client log messages at its own level, applying the most verbose level upstream", async () => {
    await ann.c.client.setLoggingLevel("error");
    await bob.c.client.setLoggingLevel("info");
    expect((await state(ann)).logLevel).toBe("info");

    await call(ann, "log", { label: "ann" });
    await call(bob, "log", { label: "bob" });
    expect(await waitFor(() => ann.logs.length >= 1 && bob.logs.length >= 3, 5000)).toBe(true);
    await settle();
    expect(ann.logs).toEqual(["ann:error"]);
    expect(bob.logs).toEqual(["bob:info", "bob:warning", "bob:error"]);
  });

  it("answers a client that joins a subscription the backend then refuses with the backend's refusal", async () => {
    const uri = "recorder://hub/files/refuse-me";
    const annAsks = ann.c.client.subscribeResource({ uri });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const bobAsks = bob.c.client.subscribeResource({ uri });
    await expect(annAsks).rejects.toMatchObject({ code: -32602, message: expect.stringContaining("not subscribable") });
    await expect(bobAsks).rejects.toMatchObject({ code: -32602, message: expect.stringContaining("not subscribable") });
    expect((await state(bob)).subscriptions).toEqual([INFO]);
  });

  it("refuses a level that is not one, and leaves everyone's level as it was", async () => {
    await expect(ann.c.client.request({ method: "logging/setLevel", params: { level: "bogus" } } as never, RAW)).rejects.toMatchObject({ code: -32602, data: { reason: "INVALID_PARAMS" } });
    await bob.c.client.setLoggingLevel("info");
    expect((await state(bob)).logLevel).toBe("info");
  });

  it("ends at the most verbose level still asked for when level changes overlap", async () => {
    await bob.c.client.setLoggingLevel("debug");
    // Ann's change is still on its way to the (slow) backend when Bob's arrives.
    const annAsks = ann.c.client.setLoggingLevel("info");
    await new Promise((resolve) => setTimeout(resolve, 50));
    await Promise.all([annAsks, bob.c.client.setLoggingLevel("debug")]);
    expect((await state(bob)).logLevel).toBe("debug");
    await Promise.all([ann.c.client.setLoggingLevel("error"), bob.c.client.setLoggingLevel("info")]);
    expect((await state(bob)).logLevel).toBe("info");
  });

  it("refuses a backend's sampling request when two clients' calls are in flight, and serves it for one", async () => {
    const slow = call(ann, "slow", { ms: 1500 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    // The backend is told plainly that no one client can answer (not an internal error).
    expect(await call(bob, "ask-sampling", { prompt: "x" }).catch((e: { code: number; message: string }) => `${e.code} ${e.message}`)).toMatch(
      /^-32601 .*cannot tell which client should answer sampling\/createMessage/,
    );
    await slow;
  });

  it("gives a restarted shared backend the subscriptions and level its clients still hold", async () => {
    const pid = Number(await call(ann, "pid"));
    process.kill(pid, "SIGKILL");
    const back = await waitFor(async () => {
      try {
        return Number(await call(bob, "pid")) !== pid;
      } catch {
        return false;
      }
    }, 15_000, 200);
    expect(back).toBe(true);
    expect(await state(bob)).toEqual({ subscriptions: [INFO], logLevel: "info" });

    bob.updated.length = 0;
    await call(ann, "touch", { uri: INFO });
    expect(await waitFor(() => bob.updated.includes(INFO), 5000)).toBe(true);
    await settle();
    expect(ann.updated).toEqual([]);
  });

  it("forgets a client's subscription and level when it leaves, and keeps the others'", async () => {
    const carl = await watchedClient("carl");
    try {
      await carl.c.client.subscribeResource({ uri: "recorder://hub/files/carl" });
      await carl.c.client.setLoggingLevel("debug");
      expect(await state(bob)).toEqual({ subscriptions: [INFO, "recorder://hub/files/carl"], logLevel: "debug" });
    } finally {
      await carl.c.terminate();
    }
    // Carl's subscription and debug level went with him: the backend is back at the most verbose level still wanted.
    const expected = JSON.stringify({ subscriptions: [INFO], logLevel: "info" });
    await waitFor(async () => JSON.stringify(await state(bob)) === expected, 5000);
    expect(await state(bob)).toEqual({ subscriptions: [INFO], logLevel: "info" });
  });
});

describe("tasks on a shared backend", () => {
  const raw = { "~standard": { version: 1, vendor: "test", validate: (value: unknown) => ({ value }) } } as never;
  type Task = { taskId: string; status: string };

  it("lets each client see and touch only the tasks its own calls created", async () => {
    const ann = await connectClient("http", { url: proxy.url }, { name: "ann" });
    const bob = await connectClient("http", { url: proxy.url }, { name: "bob" });
    try {
      const created = (await ann.client.request(
        { method: "tools/call", params: { name: "everything__simulate-research-query", arguments: { topic: "gateways" }, task: { ttl: 60_000 } } },
        raw,
      )) as unknown as { task: Task };
      const id = created.task.taskId;
      expect(id).toMatch(/^everything\/./);
      expect(((await ann.client.request({ method: "tasks/get", params: { taskId: id } }, raw)) as unknown as Task).taskId).toBe(id);
      const list = async (c: TestClient) => ((await c.client.request({ method: "tasks/list", params: {} }, raw)) as unknown as { tasks: Task[] }).tasks.map((t) => t.taskId);
      expect(await list(ann)).toContain(id);
      expect(await list(bob)).not.toContain(id);
      for (const method of ["tasks/get", "tasks/result", "tasks/cancel"]) {
        await expect(bob.client.request({ method, params: { taskId: id } } as never, raw)).rejects.toMatchObject({ code: -32602, message: `Unknown task: ${id}` });
      }
      // Bob's attempts changed nothing for Ann: her task is still hers and not cancelled.
      expect(((await ann.client.request({ method: "tasks/get", params: { taskId: id } }, raw)) as unknown as Task).status).not.toBe("cancelled");
    } finally {
      await Promise.all([ann.close(), bob.close()]);
    }
  });
});
