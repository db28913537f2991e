/** Where a command writes; tests pass buffers, the CLI passes the process streams. */
export interface CommandIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Resolves with a signal name when the process is asked to stop (used by `start`). */
  readonly stopSignal?: Promise<string>;
}

/** Exit codes every command shares; documented in the README. */
export const EXIT = { ok: 0, invalid: 1, usage: 2 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A mistake in how the command was called: printed with a hint, exit 2. */
export class UsageError extends Error {
  override name = "UsageError";
}
