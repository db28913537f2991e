import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { openAuditLog, verifyAuditFile } from "../../../src/audit/index.js";
import { GENESIS } from "../../../src/audit/line-format.js";
import { collectReports, fileSpec, readLines, records, run, tempFile } from "./helpers.js";

describe("audit lines", () => {
  it("carry the audit marker first, then the record's fields in their order, without pino's noise", async () => {
    const file = tempFile();
    await run(fileSpec(file, { chain: false }), [{ time: 1, outcome: "allowed", identity: { sub: "ana" }, method: "tools/call" }]);
    const [line] = readLines(file);
    expect(line).toBe('{"audit":true,"time":1,"outcome":"allowed","identity":{"sub":"ana"},"method":"tools/call"}');
  });

  it("chained lines add prev after the marker and hash at the end, starting from the genesis value", async () => {
    const file = tempFile();
    await run(fileSpec(file), records(2));
    const [first, second] = readLines(file).map((line) => JSON.parse(line));
    expect(Object.keys(first)).toEqual(["audit", "prev", "time", "id", "method", "hash"]);
    expect(first.prev).toBe(GENESIS);
    expect(second.prev).toBe(first.hash);
    expect(first.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("a record's own audit/prev/hash keys cannot overwrite the line's", async () => {
    const file = tempFile();
    await run(fileSpec(file), [{ audit: false, prev: "forged", hash: "forged", id: 1 }]);
    const line = JSON.parse(readLines(file)[0]!);
    expect(line).toMatchObject({ audit: true, prev: GENESIS, id: 1 });
    expect(await verifyAuditFile(file)).toEqual({ ok: true, lines: 1 });
  });

  it("a record that is not JSON-able is reported and dropped; the chain goes on", async () => {
    const file = tempFile();
    const reported = collectReports();
    const log = await openAuditLog(fileSpec(file), reported.report);
    log.write({ id: 1 });
    expect(() => log.write({ id: 2, big: 10n })).not.toThrow();
    log.write({ id: 3 });
    await log.close();
    expect(readLines(file).map((line) => JSON.parse(line).id)).toEqual([1, 3]);
    expect(reported.messages).toEqual([expect.stringMatching(/cannot be written as JSON/)]);
    expect(await verifyAuditFile(file)).toEqual({ ok: true, lines: 2 });
  });

  it("many records written at once keep their order and a valid chain", async () => {
    const file = tempFile();
    const log = await openAuditLog(fileSpec(file), collectReports().report);
    // Interleaved producers, as concurrent requests would be.
    await Promise.all(
      Array.from({ length: 8 }, async (_, producer) => {
        for (let index = 0; index < 500; index++) {
          log.write({ producer, index });
          if (index % 50 === 0) await Promise.resolve();
        }
      }),
    );
    await log.flush();
    const lines = readLines(file).map((line) => JSON.parse(line));
    expect(lines).toHaveLength(4000);
    for (let producer = 0; producer < 8; producer++) {
      expect(lines.filter((line) => line.producer === producer).map((line) => line.index)).toEqual(Array.from({ length: 500 }, (_, i) => i));
    }
    expect(await verifyAuditFile(file)).toEqual({ ok: true, lines: 4000 });
    await log.close();
  });

  it("flush resolves once written lines are in the file; close is idempotent", async () => {
    const file = tempFile();
    const log = await openAuditLog(fileSpec(file), collectReports().report);
    log.write({ id: 1 });
    await log.flush();
    expect(readFileSync(file, "utf8")).toContain('"id":1');
    await Promise.all([log.close(), log.close()]);
    await log.close();
    expect(log.writable).toBe(false);
    log.write({ id: 2 });
    expect(readLines(file)).toHaveLength(1);
  });
});
