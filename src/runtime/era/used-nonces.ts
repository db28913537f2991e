import type { Redis } from "ioredis";
import type { Logger } from "pino";

/** Redis keys of used requestState nonces start with this. */
const KEY_PREFIX = "mcp-portcullis:rs:";

/**
 * The requestState nonces already accepted, so a state works once. A sealed state is good on
 * every replica that holds the key, so a replay can reach another replica: with a Redis store
 * each nonce is claimed there too (SET NX with the state's remaining lifetime), and a replica
 * that finds it claimed refuses. This process's own memory is always kept as well, so a replay
 * to the same process is refused even while Redis is down.
 */
export interface UsedNonces {
  /** True if the nonce was unused (it is now used until `expires`, epoch ms); false if it was seen before. */
  claim(nonce: string, expires: number): Promise<boolean>;
}

/** This process's memory of used nonces, each until its state expires (later it is refused as expired anyway). */
export class MemoryNonces implements UsedNonces {
  readonly #used = new Map<string, number>();

  async claim(nonce: string, expires: number): Promise<boolean> {
    return this.claimHere(nonce, expires);
  }

  claimHere(nonce: string, expires: number): boolean {
    this.#forgetExpired(Date.now());
    if (this.#used.has(nonce)) return false;
    this.#used.set(nonce, expires);
    return true;
  }

  /**
   * States live a fixed time, so nonces arrive in nearly the order they expire: forgetting
   * stops at the first one still good instead of scanning all (a claim stays cheap with many
   * states under way; one that expires a little out of order is forgotten a little later).
   */
  #forgetExpired(now: number): void {
    for (const [nonce, expires] of this.#used) {
      if (expires > now) return;
      this.#used.delete(nonce);
    }
  }
}

/**
 * Nonces claimed in Redis (the rate-limit store's connection, which fails fast while Redis is
 * unreachable) and in this process. While Redis cannot answer, this process's memory decides
 * alone: a replay reaching another replica then goes unnoticed, which is logged once per outage.
 */
export class RedisNonces implements UsedNonces {
  readonly #memory = new MemoryNonces();
  readonly #logger: Logger;
  #outageLogged = false;

  constructor(
    private readonly client: Redis,
    logger: Logger,
  ) {
    this.#logger = logger.child({ component: "request-state" });
    client.on("ready", () => (this.#outageLogged = false));
  }

  async claim(nonce: string, expires: number): Promise<boolean> {
    if (!this.#memory.claimHere(nonce, expires)) return false;
    try {
      if (this.client.status !== "ready") throw new Error(`connection ${this.client.status}`);
      const set = await this.client.set(`${KEY_PREFIX}${nonce}`, "1", "PX", Math.max(1, expires - Date.now()), "NX");
      return set === "OK";
    } catch (error) {
      this.#outage(error instanceof Error ? error.message : String(error));
      return true;
    }
  }

  #outage(why: string): void {
    if (this.#outageLogged) return;
    this.#outageLogged = true;
    this.#logger.warn({ err: why }, "request states: Redis is unreachable; a used requestState is remembered by this process only, so a replay reaching another replica is not detected until it is back");
  }
}
