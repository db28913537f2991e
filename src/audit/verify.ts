import { LineTooLong, fileLines } from "./file-lines.js";
import { GENESIS, looksCut, readChainedLine } from "./line-format.js";
import type { VerifyResult } from "./types.js";

/** Where the walk through a file stands. */
interface Walk {
  /** Lines seen so far. */
  lines: number;
  /** Hash of the last good line; undefined before the first. */
  previous: string | undefined;
  /** Line number of the last good line, for messages. */
  previousLine: number;
  continuesFrom: string | undefined;
  /** Cut-off lines met since the last good line: tolerated only if the next line links over them. */
  pendingCuts: number[];
  cutLines: number[];
  broken: { line: number; reason: string } | undefined;
}

/**
 * Re-reads a chained audit file line by line (streamed: memory holds one line), recomputes
 * every line's hash and checks every link, and names the first broken line:
 * not JSON, missing hash, hash mismatch (content edited), or broken link (a line deleted,
 * inserted or reordered). A first line that continues an earlier chain (a rotated file) is
 * reported as `continuesFrom`; verify the rotated files too to link them up. A line cut off by
 * an interrupted write is tolerated when the chain links over it (docs/audit.md).
 * An empty file is intact with 0 lines. Rejects only when the file cannot be read.
 */
export async function verifyAuditFile(path: string): Promise<VerifyResult> {
  const walk: Walk = { lines: 0, previous: undefined, previousLine: 0, continuesFrom: undefined, pendingCuts: [], cutLines: [], broken: undefined };
  try {
    for await (const { bytes } of fileLines(path)) {
      walk.lines++;
      if (!walk.broken) checkLine(walk, bytes);
    }
  } catch (error) {
    if (!(error instanceof LineTooLong)) throw error;
    return { ok: false, lines: walk.lines + 1, line: walk.broken?.line ?? walk.lines + 1, reason: walk.broken?.reason ?? error.message };
  }
  if (walk.broken) return { ok: false, lines: walk.lines, ...walk.broken };
  // Cut lines at the very end: the writer was interrupted and has not written since.
  walk.cutLines.push(...walk.pendingCuts);
  return {
    ok: true,
    lines: walk.lines,
    ...(walk.continuesFrom !== undefined && { continuesFrom: walk.continuesFrom }),
    ...(walk.cutLines.length > 0 && { cutLines: walk.cutLines }),
  };
}

function checkLine(walk: Walk, bytes: Buffer): void {
  const line = walk.lines;
  const reading = readChainedLine(bytes);
  if (reading.kind === "not-json") {
    if (looksCut(bytes, walk.previous)) walk.pendingCuts.push(line);
    else walk.broken = { line, reason: bytes.length === 0 ? "not JSON: an empty line" : `not JSON (${reading.detail})` };
    return;
  }
  if (reading.kind === "broken") {
    const unchained = line === 1 && reading.reason.startsWith("missing hash: the line has no prev/hash");
    walk.broken = { line, reason: unchained ? "no hash chain: the line has no prev/hash fields (was the file written with chain: true?)" : reading.reason };
    return;
  }
  if (walk.previous === undefined) {
    if (reading.prev !== GENESIS) walk.continuesFrom = reading.prev;
  } else if (reading.prev !== walk.previous) {
    const cut = walk.pendingCuts[0];
    walk.broken =
      cut !== undefined
        ? { line: cut, reason: "not JSON: a cut-off line the next line does not link over (content removed)" }
        : {
            line,
            reason:
              reading.prev === GENESIS
                ? `broken link: a new chain starts here after line ${walk.previousLine} (lines were removed or the file was spliced)`
                : `broken link: prev does not match the hash of line ${walk.previousLine} (a line was deleted, inserted or reordered)`,
          };
    return;
  }
  walk.cutLines.push(...walk.pendingCuts);
  walk.pendingCuts = [];
  walk.previous = reading.hash;
  walk.previousLine = line;
}
