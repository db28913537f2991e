import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { once } from "node:events";
import { StringDecoder } from "node:string_decoder";
import type { JSONRPCMessage, Transport } from "@modelcontextprotocol/client";
import { JsonLineReader, type SkippedLine } from "../core/json-lines.js";
import { supervisedCommand } from "./child-supervision.js";
import { isJsonRpcMessage } from "./json-rpc-message.js";
import { UnserializableMessageError } from "./upstream-failure.js";

export interface ChildStdioOptions {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Record<string, string>;
  readonly cwd: string;
  /** The longest line (one message) read from the child; longer ones are skipped. */
  readonly maxMessageBytes: number;
  readonly onStderr: (line: string) => void;
  /** Something the child wrote that is not a JSON-RPC message (a string when it was not even JSON); already dropped. */
  readonly onInvalid: (message: unknown) => void;
  /** A line over `maxMessageBytes`, already skipped; the child keeps running. */
  readonly onOversized: (line: SkippedLine) => void;
  /** Said once per process: children cannot be tied to the gateway's life here. */
  readonly onUnsupervised: (why: string) => void;
}

let toldUnsupervised = false;

const GRACE_MS = 2000;
const GROUPS = process.platform !== "win32";

/**
 * The client side of the stdio transport, talking to a child process: one JSON-RPC message per
 * line. Lines are parsed once with JSON.parse and handed on as they are — no schema pass on the
 * hot path (the SDK's transport validates every line) and nothing stripped. No shell is involved.
 */
export class ChildStdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  #child: ChildProcessWithoutNullStreams | undefined;
  #outgoing = "";
  #flushing: Promise<void> | undefined;
  #closed = false;

  constructor(private readonly options: ChildStdioOptions) {}

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /**
   * The SDK tells a stdio transport by `pid` and `stderr` (our stderr goes to the log, not to
   * it). Without both, its version probe (era auto) treats the pipe as HTTP, where silence is
   * an outage: a legacy server that ignores requests before initialize then fails to start
   * instead of being spoken to as legacy.
   */
  get stderr(): null {
    return null;
  }

  async start(): Promise<void> {
    const { env, cwd } = this.options;
    const { command, args, unsupervised } = supervisedCommand(this.options.command, this.options.args, env.PATH);
    if (unsupervised && !toldUnsupervised) {
      toldUnsupervised = true;
      this.options.onUnsupervised(unsupervised);
    }
    // Its own process group, so stopping it stops what it started too (wrapper scripts, npx).
    const child = spawn(command, [...args], { env, cwd, stdio: ["pipe", "pipe", "pipe"], shell: false, windowsHide: true, detached: GROUPS });
    this.#child = child;
    await new Promise<void>((resolve, reject) => {
      child.once("spawn", resolve);
      child.once("error", reject);
    });
    child.on("error", (error) => this.onerror?.(error));
    child.once("close", () => this.#finish());
    // A child that exits while we write must not crash the proxy with EPIPE.
    child.stdin.on("error", (error) => this.onerror?.(error));
    // Only well-formed JSON-RPC goes on: the layers above read fields without guarding them.
    const reader = new JsonLineReader(
      (message) => (isJsonRpcMessage(message) ? this.onmessage?.(message as JSONRPCMessage) : this.options.onInvalid(message)),
      (line) => this.options.onInvalid(line),
      this.options.maxMessageBytes,
      this.options.onOversized,
    );
    child.stdout.on("data", (chunk: Buffer) => void reader.push(chunk));
    const stderr = new StringDecoder("utf8");
    let pending = "";
    child.stderr.on("data", (chunk: Buffer) => {
      const lines = (pending + stderr.write(chunk)).split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) if (line.trim()) this.options.onStderr(line);
    });
  }

  /**
   * Messages sent in one turn of the event loop leave in one write: with many clients on one
   * child, one pipe write (and one wake-up of the child) then carries several requests.
   */
  async send(message: JSONRPCMessage): Promise<void> {
    const child = this.#child;
    if (!child || this.#closed) throw new Error("backend process is not running");
    this.#outgoing += `${serialise(message)}\n`;
    this.#flushing ??= new Promise<void>((resolve, reject) => {
      setImmediate(() => {
        const chunk = this.#outgoing;
        this.#outgoing = "";
        this.#flushing = undefined;
        if (child.stdin.write(chunk)) resolve();
        else once(child.stdin, "drain").then(() => resolve(), reject);
      });
    });
    return this.#flushing;
  }

  /** Ends stdin, then SIGTERM, then SIGKILL: a well-behaved server exits on EOF, others are made to. */
  async close(): Promise<void> {
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return this.#finish();
    const exited = once(child, "close").then(() => true);
    const within = (ms: number) => Promise.race([exited, new Promise<boolean>((r) => setTimeout(() => r(false), ms).unref())]);
    child.stdin.end();
    if (await within(GRACE_MS)) return this.#signalGroup("SIGTERM");
    this.#signalGroup("SIGTERM");
    if (await within(GRACE_MS)) return;
    this.#signalGroup("SIGKILL");
    await within(GRACE_MS);
  }

  /** Signals the child's whole process group (falling back to the child alone where groups do not exist). */
  #signalGroup(signal: NodeJS.Signals): void {
    const pid = this.#child?.pid;
    if (pid === undefined) return;
    try {
      if (GROUPS) process.kill(-pid, signal);
      else this.#child?.kill(signal);
    } catch {
      // Already gone.
    }
  }

  #finish(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.onclose?.();
  }
}

/** A message that cannot be written (nested too deep for the stack) fails alone, not the connection. */
function serialise(message: JSONRPCMessage): string {
  try {
    return JSON.stringify(message);
  } catch (error) {
    throw new UnserializableMessageError((error as Error).message);
  }
}
