import { existsSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { openAuditLog, verifyAuditFile } from "../../../src/audit/index.js";
import { collectReports, fileSpec, readLines, tempFile, until } from "./helpers.js";

const bounded = <T>(promise: Promise<T>) =>
  Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error("did not resolve")), 10_000))]);

describe("a sink that cannot write", () => {
  it.skipIf(!existsSync("/dev/full"))("/dev/full: not writable, reported once per outage, flush and close still resolve", async () => {
    const reported = collectReports();
    const log = await openAuditLog(fileSpec("/dev/full"), reported.report, { retryIntervalMs: 20 });
    log.write({ id: 1 });
    await until(() => !log.writable, "the failed write to be noticed");
    // Keep writing across several reopen attempts; each reopen succeeds and the next write fails again.
    const deadline = Date.now() + 300;
    while (Date.now() < deadline) {
      log.write({ id: 2 });
      // Reopening succeeds, but nothing has been written since: what fails closed must stay closed.
      expect(log.confirmed).toBe(false);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(reported.messages).toEqual([expect.stringMatching(/audit sink \/dev\/full cannot write/)]);
    await bounded(log.flush());
    await bounded(log.close());
    expect(log.writable).toBe(false);
  });

  it("a folder that does not exist: not writable, reported once, recovers when the folder appears", async () => {
    const file = join(dirname(tempFile()), "missing", "audit.jsonl");
    const reported = collectReports();
    const log = await openAuditLog(fileSpec(file), reported.report, { retryIntervalMs: 20 });
    expect(log.writable).toBe(false);
    expect(reported.messages).toEqual([expect.stringMatching(/cannot write/)]);
    for (let index = 0; index < 5; index++) log.write({ dropped: index });
    await bounded(log.flush());

    mkdirSync(dirname(file));
    await until(() => log.writable, "the retry to open the file");
    log.write({ id: "after" });
    await bounded(log.flush());
    await until(() => reported.messages.length === 2, "the recovery report");
    expect(reported.messages[1]).toMatch(/writes again; 5 records were dropped/);
    await log.close();
    // The trail itself says when it came back and how much it missed, before the next record.
    expect(readLines(file).map((line) => JSON.parse(line))).toEqual([
      expect.objectContaining({ event: "audit-sink", status: "reopened", dropped: 5 }),
      expect.objectContaining({ id: "after" }),
    ]);
    expect(await verifyAuditFile(file)).toEqual({ ok: true, lines: 2 });
    rmSync(dirname(file), { recursive: true });
  });

  it("close resolves while the sink is broken and stops retrying", async () => {
    const file = join(dirname(tempFile()), "missing", "audit.jsonl");
    const log = await openAuditLog(fileSpec(file), () => undefined, { retryIntervalMs: 20 });
    await bounded(log.close());
    mkdirSync(dirname(file));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(existsSync(file)).toBe(false);
  });

  it("drops records beyond the pending bound rather than buffering them without limit", async () => {
    const file = tempFile();
    const reported = collectReports();
    const log = await openAuditLog(fileSpec(file), reported.report, { maxPendingBytes: 4096 });
    for (let index = 0; index < 200; index++) log.write({ id: index, padding: "x".repeat(100) });
    expect(log.writable).toBe(false);
    await log.flush();
    await until(() => log.writable, "the backlog to drain");
    await log.close();
    const written = readLines(file).length;
    expect(written).toBeGreaterThan(0);
    expect(written).toBeLessThan(200);
    expect(reported.messages[0]).toMatch(/falling behind/);
    // Dropped records never entered the chain, so what was written still verifies.
    expect(await verifyAuditFile(file)).toEqual({ ok: true, lines: written });
  });
});
