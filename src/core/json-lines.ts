import { StringDecoder } from "node:string_decoder";

/** How much of the start and end of a skipped line is kept, enough to find its JSON-RPC id. */
const EDGE = 512;

/** What is known about a line that was too long to keep. */
export interface SkippedLine {
  /** Its length as decoded text, which is its size in bytes for ASCII JSON (limits are counted the same way). */
  readonly bytes: number;
  /** The line's first and last characters (its id is usually in one of them). */
  readonly head: string;
  readonly tail: string;
}

/**
 * Splits a byte stream into newline-delimited JSON messages, the framing of MCP's stdio
 * transport. Each line is parsed once; a line that is not JSON is reported, not thrown, so
 * one bad line never ends a session. A long line is collected in pieces and joined once, so
 * a large message costs linear time however many chunks it arrives in. A line longer than
 * the limit is not kept: the rest of it is skipped up to its newline and reading goes on.
 */
export class JsonLineReader {
  readonly #decoder = new StringDecoder("utf8");
  /** The pieces of a line still waiting for its newline. */
  #pieces: string[] = [];
  #pending = 0;
  #skipping: { bytes: number; head: string; tail: string } | undefined;

  constructor(
    private readonly onMessage: (message: unknown) => void,
    private readonly onInvalid: (line: string, error: Error) => void,
    private readonly maxLineBytes = 16 * 1024 * 1024,
    private readonly onSkipped: (line: SkippedLine) => void = () => undefined,
  ) {}

  /** Feeds a chunk; returns false when a line grew past the limit (it is being skipped). */
  push(chunk: Buffer): boolean {
    const text = this.#decoder.write(chunk);
    let withinLimit = true;
    let start = 0;
    while (start < text.length) {
      const newline = text.indexOf("\n", start);
      const end = newline === -1 ? text.length : newline;
      const part = text.slice(start, end);
      if (this.#skipping) this.#skip(part);
      else if (this.#pending + part.length > this.maxLineBytes) {
        this.#startSkipping(part);
        withinLimit = false;
      } else if (newline === -1) {
        this.#pieces.push(part);
        this.#pending += part.length;
      } else {
        this.#emit(this.#take(part));
      }
      if (newline === -1) break;
      if (this.#skipping) this.#endSkipping();
      start = newline + 1;
    }
    return withinLimit;
  }

  #take(last: string): string {
    if (this.#pieces.length === 0) return last;
    this.#pieces.push(last);
    const line = this.#pieces.join("");
    this.#pieces = [];
    this.#pending = 0;
    return line;
  }

  #startSkipping(part: string): void {
    let head = "";
    for (const piece of [...this.#pieces, part]) {
      if (head.length >= EDGE) break;
      head += piece.slice(0, EDGE - head.length);
    }
    this.#skipping = { bytes: this.#pending, head, tail: (this.#pieces.at(-1) ?? "").slice(-EDGE) };
    this.#pieces = [];
    this.#pending = 0;
    this.#skip(part);
  }

  #skip(part: string): void {
    const skipping = this.#skipping!;
    skipping.bytes += part.length;
    skipping.tail = (skipping.tail + part.slice(-EDGE)).slice(-EDGE);
  }

  #endSkipping(): void {
    const skipped = this.#skipping!;
    this.#skipping = undefined;
    this.onSkipped(skipped);
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
