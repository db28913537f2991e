import type { JSONRPCMessage, Transport } from "@modelcontextprotocol/client";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { BackendRpcError, PendingRequests } from "../../src/backends/pending-requests.js";
import { Cancellation } from "../../src/core/cancellation.js";
import { ProxyError } from "../../src/core/errors.js";

/** Records what would go to the backend; the backend's answers are fed in with `settle`. */
function wire(): { transport: Transport; sent: Array<Record<string, unknown>> } {
  const sent: Array<Record<string, unknown>> = [];
  const transport = { send: async (m: JSONRPCMessage) => void sent.push(m as Record<string, unknown>) } as unknown as Transport;
  return { transport, sent };
}

const timeout = () => new ProxyError("BACKEND_TIMEOUT", "too slow");

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe("the proxy's own requests to a backend", () => {
  it("hands back the backend's result and its errors as they came", async () => {
    const { transport, sent } = wire();
    const pending = new PendingRequests(transport);
    const ok = pending.send("tools/call", { name: "x" }, { timeoutMs: 1000, onTimeout: timeout });
    const bad = pending.send("tools/call", { name: "y" }, { timeoutMs: 1000, onTimeout: timeout });
    expect(sent.map((m) => m.id)).toEqual(["gw-1", "gw-2"]);
    expect(pending.settle({ jsonrpc: "2.0", id: "gw-1", result: { content: [], _meta: { kept: 1 } } } as JSONRPCMessage)).toBe(true);
    pending.settle({ jsonrpc: "2.0", id: "gw-2", error: { code: -32042, message: "no", data: { why: 1 } } } as JSONRPCMessage);
    expect(await ok).toEqual({ content: [], _meta: { kept: 1 } });
    await expect(bad).rejects.toEqual(new BackendRpcError(-32042, "no", { why: 1 }));
    // Messages that are not answers to our ids are left for the SDK client.
    expect(pending.settle({ jsonrpc: "2.0", id: 1, result: {} } as JSONRPCMessage)).toBe(false);
  });

  it("times a call out, tells the backend it is cancelled, and ignores a late answer", async () => {
    const { transport, sent } = wire();
    const pending = new PendingRequests(transport);
    const call = pending.send("tools/call", {}, { timeoutMs: 1000, onTimeout: timeout });
    const failed = expect(call).rejects.toMatchObject({ code: "BACKEND_TIMEOUT" });
    vi.advanceTimersByTime(999);
    expect(sent).toHaveLength(1);
    vi.advanceTimersByTime(1);
    await failed;
    expect(sent[1]).toEqual({ jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: "gw-1", reason: "timed out" } });
    expect(pending.settle({ jsonrpc: "2.0", id: "gw-1", result: {} } as JSONRPCMessage)).toBe(true);
  });

  it("counts progress as a sign of life: the timer starts again", async () => {
    const { transport } = wire();
    const pending = new PendingRequests(transport);
    const call = pending.send("tools/call", {}, { timeoutMs: 1000, onTimeout: timeout, progressToken: "t1" });
    vi.advanceTimersByTime(800);
    pending.touch("t1");
    vi.advanceTimersByTime(800);
    pending.settle({ jsonrpc: "2.0", id: "gw-1", result: { done: true } } as JSONRPCMessage);
    expect(await call).toEqual({ done: true });
  });

  it("stops the clock while the backend waits on the client, and restarts it afresh after", async () => {
    const { transport } = wire();
    const pending = new PendingRequests(transport);
    const call = pending.send("tools/call", {}, { timeoutMs: 1000, onTimeout: timeout });
    vi.advanceTimersByTime(900);
    pending.suspendTimers();
    pending.suspendTimers();
    vi.advanceTimersByTime(60_000);
    pending.resumeTimers();
    vi.advanceTimersByTime(60_000);
    pending.resumeTimers();
    vi.advanceTimersByTime(999);
    pending.settle({ jsonrpc: "2.0", id: "gw-1", result: { late: false } } as JSONRPCMessage);
    expect(await call).toEqual({ late: false });
  });

  it("cancels upstream when the client cancels, with the client's reason", async () => {
    const { transport, sent } = wire();
    const pending = new PendingRequests(transport);
    const cancellation = new Cancellation();
    const call = pending.send("tools/call", {}, { timeoutMs: 1000, onTimeout: timeout, cancellation });
    cancellation.cancel("user gave up");
    await expect(call).rejects.toMatchObject({ code: "REQUEST_CANCELLED" });
    expect(sent[1]).toMatchObject({ method: "notifications/cancelled", params: { requestId: "gw-1", reason: "user gave up" } });
  });

  it("fails every open call with one error when the connection is gone", async () => {
    const { transport } = wire();
    const pending = new PendingRequests(transport);
    const calls = [1, 2].map(() => pending.send("tools/call", {}, { timeoutMs: 1000, onTimeout: timeout }));
    const gone = new ProxyError("BACKEND_UNAVAILABLE", "gone");
    pending.failAll(gone);
    for (const call of calls) await expect(call).rejects.toBe(gone);
  });
});
