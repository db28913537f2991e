import { open } from "node:fs/promises";

/** What the writer needs to know about a file before appending to it. */
export interface FileTail {
  /** False for a device, FIFO or the like: no size, no tail, no rotation. */
  readonly regular: boolean;
  /** Size in bytes (0 when the file does not exist yet). */
  readonly size: number;
  /** The last newline-terminated line without its newline, when there is one. */
  readonly lastLine?: Buffer;
  /** True when the file ends in a fragment without a newline (a write cut off by a crash or a full disk). */
  readonly endsCut: boolean;
}

const CHUNK = 64 * 1024;
/** A line longer than this is not looked for; the chain then restarts (see docs/audit.md). */
const MAX_TAIL_LINE = 64 * 1024 * 1024;
const NEWLINE = 0x0a;

/**
 * Reads only the end of a file, backwards in chunks, until the last complete line is found,
 * so resuming a chain costs the size of one line, not of the file. A missing file is an empty
 * one (opening for append creates it); other errors (a missing folder, no permission) reject.
 */
export async function readFileTail(path: string): Promise<FileTail> {
  let handle;
  try {
    handle = await open(path, "r");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { regular: true, size: 0, endsCut: false };
    throw error;
  }
  try {
    const stats = await handle.stat();
    // Reading /dev/full or a FIFO would never end (or block); only regular files have a tail.
    if (!stats.isFile()) return { regular: false, size: 0, endsCut: false };
    const size = stats.size;
    if (size === 0) return { regular: true, size, endsCut: false };
    const chunks: Buffer[] = [];
    let start = size;
    let lineEnd = -1; // offset of the newline that ends the last complete line
    let lineStart = -1; // offset of the newline before it (-1: the line starts the file)
    while (start > 0 && size - start <= MAX_TAIL_LINE) {
      const length = Math.min(CHUNK, start);
      start -= length;
      const chunk = Buffer.alloc(length);
      await readFully(handle, chunk, start);
      chunks.unshift(chunk);
      // Each chunk is searched once, only below the newlines already found.
      let searchFrom = lineEnd === -1 ? length - 1 : lineEnd - start - 1;
      if (lineEnd === -1) {
        const at = chunk.lastIndexOf(NEWLINE);
        if (at === -1) continue;
        lineEnd = start + at;
        searchFrom = at - 1;
      }
      const before = searchFrom < 0 ? -1 : chunk.lastIndexOf(NEWLINE, searchFrom);
      if (before !== -1) {
        lineStart = start + before;
        break;
      }
    }
    const endsCut = lineEnd !== size - 1;
    // No newline at all (a single cut fragment), or a last line too long to look for.
    if (lineEnd === -1 || (lineStart === -1 && start > 0)) return { regular: true, size, endsCut };
    const tail = Buffer.concat(chunks);
    return { regular: true, size, endsCut, lastLine: tail.subarray(lineStart + 1 - start, lineEnd - start) };
  } finally {
    await handle.close();
  }
}

async function readFully(handle: import("node:fs/promises").FileHandle, into: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < into.length) {
    const { bytesRead } = await handle.read(into, done, into.length - done, position + done);
    if (bytesRead === 0) throw new Error("the file shrank while its end was being read");
    done += bytesRead;
  }
}
