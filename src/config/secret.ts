import { inspect } from "node:util";

const MASK = "********";

/**
 * A resolved secret. It prints as a mask everywhere (JSON, `console.log`, template
 * strings, pino), so a config can be logged or printed without leaking; only
 * `reveal()` gives the value, at the one place that needs it.
 */
export class Secret {
  readonly #value: string | undefined;
  /** Where the value came from, e.g. `env:CRM_TOKEN`; safe to show. */
  readonly source: string;

  constructor(source: string, value: string | undefined) {
    this.source = source;
    this.#value = value;
  }

  /** False when the config was loaded with secrets unchecked (`validate --skip-secrets`). */
  get resolved(): boolean {
    return this.#value !== undefined;
  }

  reveal(): string {
    if (this.#value === undefined) throw new Error(`secret ${this.source} was not resolved (loaded with secrets skipped)`);
    return this.#value;
  }

  toJSON(): string {
    return `${MASK} (${this.source})`;
  }

  toString(): string {
    return this.toJSON();
  }

  [inspect.custom](): string {
    return `Secret(${this.source})`;
  }
}

/** A header or env value: literal text, or a secret. */
export type SecretOrString = string | Secret;

/** The value to put on the wire or in a child's environment. */
export function revealValue(value: SecretOrString): string {
  return typeof value === "string" ? value : value.reveal();
}
