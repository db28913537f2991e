import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { reveal, type Revealable } from "../backend-spec.js";

const KEY_FILE = "key";
const FORMAT = "mcp-proxy-tokens/1";

interface Sealed {
  readonly format: string;
  readonly iv: string;
  readonly tag: string;
  readonly data: string;
}

/**
 * What `mcp-proxy login` leaves for the gateway, per backend, encrypted at rest with
 * AES-256-GCM in the state folder (0700, files 0600). The key is the configured `state.key`,
 * or a random one created once beside the tokens (0600): then the folder alone is the
 * secret, as with an SSH key. The backend's name is the cipher's associated data, so one
 * backend's file copied over another's does not decrypt.
 */
export class TokenStore {
  #key: Buffer | undefined;

  constructor(
    readonly dir: string,
    private readonly configuredKey: Revealable | undefined,
  ) {}

  /** The record kept for `backend`, or undefined when there is none. Throws when it cannot be decrypted. */
  read<T>(backend: string): T | undefined {
    let text: string;
    try {
      text = readFileSync(this.#fileOf(backend), "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw error;
    }
    const sealed = JSON.parse(text) as Sealed;
    if (sealed.format !== FORMAT) throw new Error(`stored tokens of backend "${backend}" are in an unknown format`);
    const decipher = createDecipheriv("aes-256-gcm", this.#keyFor(false), Buffer.from(sealed.iv, "base64"));
    decipher.setAAD(Buffer.from(backend, "utf8"));
    decipher.setAuthTag(Buffer.from(sealed.tag, "base64"));
    try {
      const plain = Buffer.concat([decipher.update(Buffer.from(sealed.data, "base64")), decipher.final()]);
      return JSON.parse(plain.toString("utf8")) as T;
    } catch {
      throw new Error(`stored tokens of backend "${backend}" cannot be decrypted with this key (state.key changed, or the file was edited)`);
    }
  }

  /** Replaces the record for `backend`, atomically (a reader never sees half a file). */
  write(backend: string, record: unknown): void {
    this.#ensureDir();
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.#keyFor(true), iv);
    cipher.setAAD(Buffer.from(backend, "utf8"));
    const data = Buffer.concat([cipher.update(JSON.stringify(record), "utf8"), cipher.final()]);
    const sealed: Sealed = { format: FORMAT, iv: iv.toString("base64"), tag: cipher.getAuthTag().toString("base64"), data: data.toString("base64") };
    const file = this.#fileOf(backend);
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify(sealed), { mode: 0o600 });
    renameSync(temp, file);
  }

  /** Whether a record exists for `backend` (it may still fail to decrypt). */
  has(backend: string): boolean {
    try {
      readFileSync(this.#fileOf(backend));
      return true;
    } catch {
      return false;
    }
  }

  #fileOf(backend: string): string {
    // Backend names are [A-Za-z][A-Za-z0-9_-]*: safe as file names.
    return join(this.dir, `oauth-${backend}.json`);
  }

  #ensureDir(): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
  }

  #keyFor(create: boolean): Buffer {
    if (this.#key) return this.#key;
    if (this.configuredKey !== undefined) {
      this.#key = parseKey(reveal(this.configuredKey));
      return this.#key;
    }
    const file = join(this.dir, KEY_FILE);
    try {
      this.#key = parseKey(readFileSync(file, "utf8").trim());
      return this.#key;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT" || !create) throw error;
    }
    this.#ensureDir();
    const key = randomBytes(32);
    // "wx": two logins racing must not each write a key and lose the other's tokens.
    try {
      writeFileSync(file, `${key.toString("hex")}\n`, { mode: 0o600, flag: "wx" });
      chmodSync(file, 0o600);
      this.#key = key;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      this.#key = parseKey(readFileSync(file, "utf8").trim());
    }
    return this.#key;
  }
}

/** 32 bytes, as 64 hex characters or base64. */
function parseKey(text: string): Buffer {
  const key = /^[0-9a-f]{64}$/i.test(text) ? Buffer.from(text, "hex") : Buffer.from(text, "base64");
  if (key.length !== 32) throw new Error("the token encryption key must be 32 bytes, given as 64 hex characters or base64 (state.key)");
  return key;
}
