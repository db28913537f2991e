import { StringDecoder } from "node:string_decoder";

/**
 * Splits a byte stream into newline-delimited JSON messages, the framing of MCP's stdio
 * transport. Each line is parsed once; a line that is not JSON is reported, not thrown, so
 * one bad line never ends a session.
 */
export class JsonLineReader {
  readonly #decoder = new StringDecoder("utf8");
  #buffer = "";

  constructor(
    private readonly onMessage: (message: unknown) => void,
    private readonly onInvalid: (line: string, error: Error) => void,
    private readonly maxLineBytes = 16 * 1024 * 1024,
  ) {}

  /** Feeds a chunk; returns false when a single line grew past the limit (the stream is not MCP). */
  push(chunk: Buffer): boolean {
    const buffer = this.#buffer + this.#decoder.write(chunk);
    let start = 0;
    let newline = buffer.indexOf("\n");
    while (newline !== -1) {
      const line = buffer.slice(start, newline).trim();
      start = newline + 1;
      newline = buffer.indexOf("\n", start);
      if (line === "") continue;
      let message: unknown;
      try {
        message = JSON.parse(line);
      } catch (error) {
        this.onInvalid(line, error as Error);
        continue;
      }
      this.onMessage(message);
    }
    this.#buffer = buffer.slice(start);
    if (this.#buffer.length <= this.maxLineBytes) return true;
    this.#buffer = "";
    return false;
  }
}
