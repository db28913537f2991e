import { createReadStream } from "node:fs";

/** One line of a file, without its newline. */
export interface FileLine {
  readonly bytes: Buffer;
  /** False only for a last line that has no newline after it. */
  readonly terminated: boolean;
}

/** A line longer than this is not held in memory; it is reported instead. */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;

/** Thrown (as a value in the stream) when a line outgrows MAX_LINE_BYTES. */
export class LineTooLong extends Error {
  override name = "LineTooLong";
}

/**
 * Streams a file's lines as raw bytes, so a verifier hashes exactly what is on disk and a large
 * file costs one line of memory, not the whole file. Rejects when the file cannot be read.
 */
export async function* fileLines(path: string): AsyncGenerator<FileLine> {
  let pieces: Buffer[] = [];
  let held = 0;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    let start = 0;
    for (let newline = chunk.indexOf(0x0a); newline !== -1; newline = chunk.indexOf(0x0a, start)) {
      const part = chunk.subarray(start, newline);
      yield { bytes: pieces.length === 0 ? part : Buffer.concat([...pieces, part]), terminated: true };
      pieces = [];
      held = 0;
      start = newline + 1;
    }
    if (start < chunk.length) {
      held += chunk.length - start;
      if (held > MAX_LINE_BYTES) throw new LineTooLong(`a line is longer than ${MAX_LINE_BYTES} bytes`);
      pieces.push(chunk.subarray(start));
    }
  }
  if (pieces.length > 0) yield { bytes: Buffer.concat(pieces), terminated: false };
}
