import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import { type FSWatcher, watch } from "chokidar";

/**
 * How often the watched files are also checked by their metadata. File events can be lost
 * (chokidar drops a raw event that follows another within a few milliseconds, and on a busy
 * machine an edit right after a rename has been seen to go unnoticed): a policy change that
 * is silently never applied is worse than one applied a second late.
 */
const SAFETY_CHECK_MS = 1000;

/**
 * Watches the config file, every local file it imported and every secret file it reads, and
 * calls `onChange` once per burst of changes (`debounceMs` after the last one). It watches the
 * files, not their folders: a folder watch re-reads the folder on every event in it, and an
 * audit log or state file written beside the config would keep it re-reading (a measured cost
 * on every request). Editors and deploy tools that replace a file by renaming a new one over
 * it, or delete and recreate it, are still seen: chokidar follows the path to its new inode.
 * `follow` replaces the watched set after each reload (a config may start or stop importing
 * a file).
 */
export class ConfigWatcher {
  #files = new Set<string>();
  #watcher: FSWatcher | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** Each file's identity, size and times when last handed to `onChange` (or first watched). */
  #seen = new Map<string, string>();
  readonly #safetyCheck: NodeJS.Timeout;
  #checking = false;
  #closed = false;

  constructor(
    /** Read at each change, so a reload that changes `reload.debounceMs` applies it to the next burst. */
    public debounceMs: number,
    private readonly onChange: (file: string) => void,
    private readonly onError: (error: Error) => void,
  ) {
    this.#safetyCheck = setInterval(() => void this.#checkMetadata(), SAFETY_CHECK_MS).unref();
  }

  /** Resolves once the watches are in place (a change made after that is seen). */
  async follow(files: readonly string[]): Promise<void> {
    if (this.#closed) return;
    const next = new Set(files.map((f) => resolve(f)));
    if (this.#watcher && sameSet(next, this.#files)) return;
    const previous = this.#watcher;
    this.#files = next;
    this.#watcher = watch([...next], { ignoreInitial: true });
    const onEvent = (path: string) => {
      if (this.#files.has(resolve(path))) this.#schedule(path);
    };
    this.#watcher.on("add", onEvent).on("change", onEvent).on("unlink", onEvent).on("error", (e) => this.onError(e as Error));
    await new Promise<void>((ready) => this.#watcher!.once("ready", () => ready()));
    await previous?.close();
    this.#seen = await signatures(next);
  }

  #schedule(file: string): void {
    if (this.#closed) return;
    clearTimeout(this.#timer);
    const timer = setTimeout(() => {
      // What this burst hands on is recorded before the metadata check may look again: the
      // timer stays set (the check stands aside) until the record is taken, so one change is
      // never reported twice.
      void signatures(this.#files).then((seen) => {
        if (this.#timer !== timer) return; // a later event started a new burst: it reports
        this.#seen = seen;
        this.#timer = undefined;
        if (!this.#closed) this.onChange(file);
      });
    }, this.debounceMs);
    this.#timer = timer;
  }

  /** A change whose file event was lost: some file's metadata differs from what was last handed on. */
  async #checkMetadata(): Promise<void> {
    if (this.#closed || this.#checking || this.#timer || this.#seen.size === 0) return;
    this.#checking = true;
    try {
      const record = this.#seen;
      const now = await signatures(this.#files);
      // A burst handed on while this looked: its record is newer than what this saw.
      if (this.#seen !== record || this.#timer) return;
      const changed = [...now].find(([file, signature]) => record.get(file) !== signature);
      if (changed) this.#schedule(changed[0]);
    } finally {
      this.#checking = false;
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    clearInterval(this.#safetyCheck);
    await this.#watcher?.close();
  }
}

/** Inode, size and modification times of each file; "missing" for one that is not there. */
async function signatures(files: ReadonlySet<string>): Promise<Map<string, string>> {
  const entries = await Promise.all(
    [...files].map(async (file) => {
      try {
        const s = await stat(file);
        return [file, `${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}`] as const;
      } catch {
        return [file, "missing"] as const;
      }
    }),
  );
  return new Map(entries);
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  return a.size === b.size && [...a].every((x) => b.has(x));
}
