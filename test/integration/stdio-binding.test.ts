import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { describe, expect, it } from "vitest";
import { recorderBackend } from "../support/mcp-clients.js";
import { proxyCommand, writeConfig } from "../support/proxy-process.js";

describe("the stdio binding", () => {
  it("refuses requests before initialize, answers a malformed line with a parse error, keeps the session, keeps stdout for the protocol, exits when stdin ends", async () => {
    const file = writeConfig({ version: 1, backends: { alpha: recorderBackend("alpha") }, bindings: [{ transport: "stdio" }], logging: { level: "info" } });
    const { command, args } = proxyCommand(file);
    const child = spawn(command, args, { stdio: ["pipe", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const lines: unknown[] = [];
    const rl = createInterface({ input: child.stdout });
    const next = () =>
      new Promise<unknown>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no answer; stderr:\n${stderr}`)), 15_000);
        rl.once("line", (line) => {
          clearTimeout(timer);
          const parsed = JSON.parse(line); // every stdout line must be JSON-RPC, logs included nowhere
          lines.push(parsed);
          resolve(parsed);
        });
      });
    const send = (message: unknown) => child.stdin.write(`${typeof message === "string" ? message : JSON.stringify(message)}\n`);

    // Before initialize there is nothing to list or call: the client is told to initialize, not given an empty list.
    send({ jsonrpc: "2.0", id: "early", method: "tools/list", params: {} });
    expect(await next()).toMatchObject({ jsonrpc: "2.0", id: "early", error: { code: -32600, data: { reason: "NOT_INITIALIZED" } } });
    send({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "raw", version: "1" } } });
    expect(await next()).toMatchObject({ id: 1, result: { serverInfo: { name: "mcp-portcullis" } } });
    send({ jsonrpc: "2.0", method: "notifications/initialized" });
    send("{this is not json");
    expect(await next()).toMatchObject({ jsonrpc: "2.0", id: null, error: { code: -32700 } });
    send({ jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "alpha__whoami", arguments: {} } });
    expect(await next()).toEqual({ jsonrpc: "2.0", id: 2, result: { content: [{ type: "text", text: "alpha" }] } });

    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    child.stdin.end();
    expect(await exited).toBe(0);
    expect(stderr).toContain("gateway started");
  });
});
