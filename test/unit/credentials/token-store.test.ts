import { copyFileSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { TokenStore } from "../../../src/backends/credentials/index.js";

const fresh = () => join(mkdtempSync(join(tmpdir(), "mcp-proxy-state-")), "state");
const RECORD = { tokens: { access_token: "at-5f0e1d2c3b4a", refresh_token: "rt-9a8b7c6d5e4f" } };

describe("the token store", () => {
  it("keeps a record encrypted, in a 0700 folder with a 0600 file and a 0600 key created on first write", () => {
    const dir = fresh();
    const store = new TokenStore(dir, undefined);
    expect(store.read("crm")).toBeUndefined();
    store.write("crm", RECORD);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, "key")).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, "oauth-crm.json")).mode & 0o777).toBe(0o600);
    const onDisk = readFileSync(join(dir, "oauth-crm.json"), "utf8");
    expect(onDisk).not.toContain("at-5f0e1d2c3b4a");
    expect(onDisk).not.toContain("rt-9a8b7c6d5e4f");
    expect(new TokenStore(dir, undefined).read("crm")).toEqual(RECORD);
  });

  it("refuses a record copied over another backend's, and one read with another key", () => {
    const dir = fresh();
    new TokenStore(dir, undefined).write("crm", RECORD);
    copyFileSync(join(dir, "oauth-crm.json"), join(dir, "oauth-tickets.json"));
    expect(() => new TokenStore(dir, undefined).read("tickets")).toThrow(/cannot be decrypted/);
    writeFileSync(join(dir, "key"), `${"ab".repeat(32)}\n`);
    expect(() => new TokenStore(dir, undefined).read("crm")).toThrow(/cannot be decrypted/);
  });

  it("uses a configured key (hex or base64) and creates no key file then", () => {
    const dir = fresh();
    const key = Buffer.alloc(32, 7);
    new TokenStore(dir, { reveal: () => key.toString("base64") }).write("crm", RECORD);
    expect(() => statSync(join(dir, "key"))).toThrow();
    expect(new TokenStore(dir, { reveal: () => key.toString("hex") }).read("crm")).toEqual(RECORD);
    expect(() => new TokenStore(dir, { reveal: () => "short" }).read("crm")).toThrow(/must be 32 bytes/);
  });
});
