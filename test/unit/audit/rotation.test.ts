import { existsSync, readFileSync, renameSync, statSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { openAuditLog, verifyAuditFile } from "../../../src/audit/index.js";
import { GENESIS } from "../../../src/audit/line-format.js";
import { collectReports, fileSpec, readLines, records, run, tempFile } from "./helpers.js";

describe("rotation", () => {
  it("renames FILE to FILE.1 … FILE.keep past maxBytes and links each new file to the one before", async () => {
    const file = tempFile();
    const spec = fileSpec(file, { rotate: { maxBytes: 2000, keep: 2 } });
    const reported = collectReports();
    const log = await openAuditLog(spec, reported.report);
    // Written in one go: lines accepted while a rotation is under way must land in order too.
    for (const record of records(60)) log.write(record);
    await log.close();
    expect(reported.messages).toEqual([]);
    expect(existsSync(`${file}.1`) && existsSync(`${file}.2`)).toBe(true);
    expect(existsSync(`${file}.3`)).toBe(false);
    for (const path of [file, `${file}.1`, `${file}.2`]) expect(statSync(path).size).toBeLessThanOrEqual(2000);

    const current = await verifyAuditFile(file);
    const older = await verifyAuditFile(`${file}.1`);
    const oldest = await verifyAuditFile(`${file}.2`);
    expect(current).toMatchObject({ ok: true });
    expect(older).toMatchObject({ ok: true });
    expect(oldest).toMatchObject({ ok: true });
    // FILE continues from FILE.1's last hash, FILE.1 from FILE.2's.
    const lastHash = (path: string) => JSON.parse(readLines(path).at(-1)!).hash;
    expect(current.ok && current.continuesFrom).toBe(lastHash(`${file}.1`));
    expect(older.ok && older.continuesFrom).toBe(lastHash(`${file}.2`));
    // The newest lines are in FILE, in order, and none is lost across the files still kept.
    const ids = [`${file}.2`, `${file}.1`, file].flatMap((path) => readLines(path).map((line) => JSON.parse(line).id));
    expect(ids).toEqual(Array.from({ length: ids.length }, (_, index) => 60 - ids.length + index));
  });

  it("a restart right after a rotation continues from FILE.1", async () => {
    const file = tempFile();
    const spec = fileSpec(file, { rotate: { maxBytes: 300, keep: 3 } });
    await run(spec, records(2));
    // The moment after a rotation's rename, before the new FILE has a line.
    renameSync(file, `${file}.1`);
    await run(spec, records(1, 2));
    const first = JSON.parse(readLines(file)[0]!);
    expect(first.prev).not.toBe(GENESIS);
    expect(first.prev).toBe(JSON.parse(readLines(`${file}.1`).at(-1)!).hash);
    expect(readFileSync(file, "utf8").endsWith("\n")).toBe(true);
  });
});
