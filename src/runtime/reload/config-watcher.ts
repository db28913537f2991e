import { dirname, resolve } from "node:path";
import { type FSWatcher, watch } from "chokidar";

/**
 * Watches the config file, every local file it imported and every secret file it reads, and
 * calls `onChange` once per burst of changes (`debounceMs` after the last one). It watches
 * their folders rather than the files: editors and deploy tools replace a file by writing a
 * temporary one and renaming it over the original, which a watch on the old file's inode
 * would never see. `follow` replaces the watched set after each reload (a config may start
 * or stop importing a file).
 */
export class ConfigWatcher {
  #files = new Set<string>();
  #folders = new Set<string>();
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
    const folders = new Set([...next].map((f) => dirname(f)));
    this.#files = next;
    if (this.#watcher && sameSet(folders, this.#folders)) return;
    const previous = this.#watcher;
    this.#folders = folders;
    this.#watcher = watch([...folders], {
      ignoreInitial: true,
      depth: 0,
      // Only the watched files' own events matter; everything else in their folders is skipped early.
      ignored: (path) => !this.#folders.has(path) && !this.#files.has(path),
    });
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
