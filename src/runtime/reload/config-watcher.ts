import { resolve } from "node:path";
import { type FSWatcher, watch } from "chokidar";

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
  #closed = false;

  constructor(
    /** Read at each change, so a reload that changes `reload.debounceMs` applies it to the next burst. */
    public debounceMs: number,
    private readonly onChange: (file: string) => void,
    private readonly onError: (error: Error) => void,
  ) {}

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
  }

  #schedule(file: string): void {
    if (this.#closed) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.onChange(file), this.debounceMs);
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    await this.#watcher?.close();
  }
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  return a.size === b.size && [...a].every((x) => b.has(x));
}
