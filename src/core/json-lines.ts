import { StringDecoder } from "node:string_decoder";

/**
 * Splits a byte stream into newline-delimited JSON messages, the framing of MCP's stdio
 * transport. Each line is parsed once; a line that is not JSON is reported, not thrown, so
 * one bad line never ends a session. A long line is collected in pieces and joined once, so
 * a large message costs linear time however many chunks it arrives in.
 */
export class JsonLineReader {
  readonly #decoder = new StringDecoder("utf8");
  /** The pieces of a line still waiting for its newline. */
  #pieces: string[] = [];
  #pending = 0;

  constructor(
    private readonly onMessage: (message: unknown) => void,
    private readonly onInvalid: (line: string, error: Error) => void,
    private readonly maxLineBytes = 16 * 1024 * 1024,
  ) {}

  /** Feeds a chunk; returns false when a single line grew past the limit (the stream is not MCP). */
  push(chunk: Buffer): boolean {
    const text = this.#decoder.write(chunk);
    let start = 0;
    let newline = text.indexOf("\n");
    while (newline !== -1) {
      let line = text.slice(start, newline);
      if (this.#pieces.length > 0) {
        this.#pieces.push(line);
        line = this.#pieces.join("");
        this.#pieces = [];
        this.#pending = 0;
      }
      this.#emit(line);
      start = newline + 1;
      newline = text.indexOf("\n", start);
    }
    if (start < text.length) {
      this.#pieces.push(text.slice(start));
      this.#pending += text.length - start;
    }
    if (this.#pending <= this.maxLineBytes) return true;
    this.#pieces = [];
    this.#pending = 0;
    return false;
  }

  #emit(raw: string): void {
    const line = raw.trim();
    if (line === "") return;
    let message: unknown;
    try {
      message = JSON.parse(line);
    } catch (error) {
      this.onInvalid(line, error as Error);
      return;
    }
    this.onMessage(message);
  }
}
