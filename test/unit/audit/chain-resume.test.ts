import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { openAuditLog, verifyAuditFile } from "../../../src/audit/index.js";
import { GENESIS } from "../../../src/audit/line-format.js";
import { collectReports, fileSpec, readLines, records, run, tempFile } from "./helpers.js";

describe("a chain across restarts", () => {
  it("continues from the file's last line after a restart", async () => {
    const file = tempFile();
    await run(fileSpec(file), records(3));
    await run(fileSpec(file), records(2, 3));
    const lines = readLines(file).map((line) => JSON.parse(line));
    expect(lines.map((line) => line.id)).toEqual([0, 1, 2, 3, 4]);
    expect(lines[3].prev).toBe(lines[2].hash);
    expect(await verifyAuditFile(file)).toEqual({ ok: true, lines: 5 });
  });

  it("continues after a last line whose record is larger than the chunk the tail is read in", async () => {
    const file = tempFile();
    await run(fileSpec(file), [{ id: 0 }, { id: 1, blob: "x".repeat(200_000) }]);
    await run(fileSpec(file), [{ id: 2 }]);
    expect(await verifyAuditFile(file)).toEqual({ ok: true, lines: 3 });
  });

  it("a last line cut off by a crash is ended, the chain links over it, and verify names it", async () => {
    const file = tempFile();
    await run(fileSpec(file), records(3));
    const third = JSON.parse(readLines(file)[2]!);
    // A crash in the middle of writing a fourth line.
    appendFileSync(file, `{"audit":true,"prev":"${third.hash}","time":17000`);
    expect(await verifyAuditFile(file)).toEqual({ ok: true, lines: 4, cutLines: [4] });

    const reported = collectReports();
    await run(fileSpec(file), records(2, 3), reported.report);
    expect(reported.messages).toEqual([]);
    const lines = readFileSync(file, "utf8").split("\n");
    expect(lines[4]).toMatch(/^\{"audit":true,"prev":"/);
    expect(JSON.parse(lines[4]!).prev).toBe(JSON.parse(lines[2]!).hash);
    expect(await verifyAuditFile(file)).toEqual({ ok: true, lines: 6, cutLines: [4] });
  });

  it("a cut line that the next line does not link over is reported as broken", async () => {
    const file = tempFile();
    await run(fileSpec(file), records(3));
    const lines = readLines(file);
    // Line 2 shortened in place: the line after it still links to the full line 2.
    writeFileSync(file, [lines[0], lines[1]!.slice(0, 80), lines[2]].join("\n") + "\n");
    expect(await verifyAuditFile(file)).toMatchObject({ ok: false, line: 2, reason: expect.stringMatching(/^not JSON/) });
  });

  it("a file whose last line is not chained starts a new chain and says so", async () => {
    const file = tempFile();
    await run(fileSpec(file, { chain: false }), records(1));
    const reported = collectReports();
    const log = await openAuditLog(fileSpec(file), reported.report);
    log.write({ id: 1 });
    await log.close();
    expect(reported.messages).toEqual([expect.stringMatching(/not a valid chained line; a new chain starts/)]);
    expect(JSON.parse(readLines(file)[1]!).prev).toBe(GENESIS);
  });
});
