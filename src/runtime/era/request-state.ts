import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { ProxyError } from "../../core/errors.js";
import { MemoryNonces, type UsedNonces } from "./used-nonces.js";

/** What the proxy keeps in a modern client's hands between an input_required answer and its retry. */
export interface BridgeState {
  /** Who may retry (binding and identity) and what (method and params digest): a state is good for nothing else. */
  readonly caller: string;
  readonly digest: string;
  /** Answers the client gave in earlier rounds, replayed to the backend on each retry. */
  readonly responses: Readonly<Record<string, unknown>>;
  /** The keys of the input requests this round asked for. */
  readonly pending: readonly string[];
  /** The round was a modern backend's own input_required, passed through: the retry's answers go back to it unchanged. */
  readonly passedThrough?: boolean;
  /** That backend's own requestState, handed back to it on the retry. */
  readonly backendState?: string;
  /** Until when (epoch ms) the retry is accepted. */
  readonly expires: number;
  /** One use only: a state seen twice is refused (by any replica when they share a Redis store, else by the same process). */
  readonly nonce: string;
}

const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Binds the ciphertext to its purpose: the same key sealing something else cannot be passed off as a state. */
const AAD = Buffer.from("mcp-portcullis requestState v1");

const invalid = (why: string) =>
  new ProxyError("INVALID_REQUEST_STATE", `Invalid params: requestState ${why}; start the request again without it`);

/**
 * Seals `requestState` with AES-256-GCM: a modern client holds it between rounds, so it is
 * attacker-controlled input. Anything the client changes fails authentication; a state is
 * only accepted from the caller it was issued to, for the request it was issued for, before
 * it expires, and once (see `UsedNonces`: per process, or across replicas sharing Redis).
 * Processes given the same key accept each other's states.
 */
export class RequestStateSeal {
  readonly #key: Buffer;
  /** `secret` from the config (any length; stretched by SHA-256), or a random key for this process alone. */
  constructor(
    secret: string | undefined,
    readonly ttlMs: number,
    /** Nonces already accepted, so a replay within the TTL is refused. */
    private readonly used: UsedNonces = new MemoryNonces(),
  ) {
    this.#key = secret === undefined ? randomBytes(32) : createHash("sha256").update(secret).digest();
  }

  seal(state: Omit<BridgeState, "expires" | "nonce">): string {
    const full: BridgeState = { ...state, expires: Date.now() + this.ttlMs, nonce: randomBytes(12).toString("base64url") };
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv("aes-256-gcm", this.#key, iv);
    cipher.setAAD(AAD);
    const body = Buffer.concat([cipher.update(JSON.stringify(full), "utf8"), cipher.final()]);
    return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), body]).toString("base64url");
  }

  /** The state, if it is one of ours, untouched, unexpired, unused, for this caller and this request. */
  async open(token: unknown, expect: { caller: string; digest: string }): Promise<BridgeState> {
    if (typeof token !== "string" || token.length > 1_000_000) throw invalid("is not a string this proxy issued");
    const raw = Buffer.from(token, "base64url");
    if (raw.length <= 1 + IV_BYTES + TAG_BYTES || raw[0] !== VERSION) throw invalid("is not one this proxy issued");
    let state: BridgeState;
    try {
      const decipher = createDecipheriv("aes-256-gcm", this.#key, raw.subarray(1, 1 + IV_BYTES));
      decipher.setAAD(AAD);
      decipher.setAuthTag(raw.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES));
      state = JSON.parse(Buffer.concat([decipher.update(raw.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]).toString("utf8")) as BridgeState;
    } catch {
      throw invalid("failed verification (altered, or sealed with another key)");
    }
    const now = Date.now();
    if (state.expires <= now) throw invalid("has expired");
    if (state.caller !== expect.caller) throw invalid("was issued to another caller");
    if (state.digest !== expect.digest) throw invalid("was issued for another request");
    if (!(await this.used.claim(state.nonce, state.expires))) throw invalid("was already used");
    return state;
  }
}
