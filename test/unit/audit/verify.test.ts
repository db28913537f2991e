import { createWriteStream, writeFileSync } from "node:fs";
import { once } from "node:events";
import { describe, expect, it } from "vitest";
import { verifyAuditFile } from "../../../src/audit/index.js";
import { GENESIS, chainedLine } from "../../../src/audit/line-format.js";
import { fileSpec, readLines, records, run, tempFile } from "./helpers.js";

async function chainedFile(count: number): Promise<string> {
  const file = tempFile();
  await run(fileSpec(file), records(count));
  return file;
}

const rewrite = (file: string, lines: string[]) => writeFileSync(file, lines.map((line) => `${line}\n`).join(""));

describe("verifyAuditFile", () => {
  it("an intact chain is ok and counts its lines; an empty file is ok with 0 lines", async () => {
    expect(await verifyAuditFile(await chainedFile(5))).toEqual({ ok: true, lines: 5 });
    const empty = tempFile();
    writeFileSync(empty, "");
    expect(await verifyAuditFile(empty)).toEqual({ ok: true, lines: 0 });
  });

  it("names an edited line: hash mismatch", async () => {
    const file = await chainedFile(5);
    const lines = readLines(file);
    lines[2] = lines[2]!.replace('"method":"tools/call"', '"method":"tools/list"');
    rewrite(file, lines);
    expect(await verifyAuditFile(file)).toEqual({ ok: false, lines: 5, line: 3, reason: expect.stringMatching(/^hash mismatch/) });
  });

  it("names the line after a deleted line, an inserted line, or a swap: broken link", async () => {
    const file = await chainedFile(5);
    const lines = readLines(file);
    rewrite(file, [lines[0]!, lines[1]!, lines[3]!, lines[4]!]);
    expect(await verifyAuditFile(file)).toEqual({ ok: false, lines: 4, line: 3, reason: expect.stringMatching(/^broken link/) });
    rewrite(file, [lines[0]!, lines[2]!, lines[1]!, lines[3]!, lines[4]!]);
    expect(await verifyAuditFile(file)).toMatchObject({ ok: false, line: 2, reason: expect.stringMatching(/^broken link/) });
    // A forged line with a correct hash of its own still breaks the link after it.
    const forged = chainedLine({ id: 99 }, JSON.parse(lines[1]!).hash).line;
    rewrite(file, [lines[0]!, lines[1]!, forged, lines[2]!, lines[3]!]);
    expect(await verifyAuditFile(file)).toMatchObject({ ok: false, line: 4, reason: expect.stringMatching(/^broken link/) });
  });

  it("reports a line that is not JSON, one without a hash, and a file with no chain at all", async () => {
    const file = await chainedFile(3);
    const lines = readLines(file);
    rewrite(file, [lines[0]!, "garbage", lines[2]!]);
    expect(await verifyAuditFile(file)).toMatchObject({ ok: false, line: 2, reason: expect.stringMatching(/^not JSON/) });
    const withoutHash = JSON.parse(lines[1]!);
    delete withoutHash.hash;
    rewrite(file, [lines[0]!, JSON.stringify(withoutHash), lines[2]!]);
    expect(await verifyAuditFile(file)).toMatchObject({ ok: false, line: 2, reason: expect.stringMatching(/^missing hash/) });

    const plain = tempFile();
    await run(fileSpec(plain, { chain: false }), records(3));
    expect(await verifyAuditFile(plain)).toEqual({ ok: false, lines: 3, line: 1, reason: expect.stringMatching(/^no hash chain/) });
  });

  it("rejects a file it cannot read", async () => {
    await expect(verifyAuditFile(`${tempFile()}.missing`)).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("streams a large file (50k lines) and still finds the one edited line", async () => {
    const file = tempFile();
    const out = createWriteStream(file);
    let prev = GENESIS;
    for (let index = 0; index < 50_000; index++) {
      const { line, hash } = chainedLine({ time: index, id: index, method: "tools/call", tool: "search", identity: { sub: "user" } }, prev);
      prev = hash;
      if (!out.write(`${index === 41_234 ? line.replace('"tool":"search"', '"tool":"delete"') : line}\n`)) await once(out, "drain");
    }
    out.end();
    await once(out, "close");
    expect(await verifyAuditFile(file)).toEqual({ ok: false, lines: 50_000, line: 41_235, reason: expect.stringMatching(/^hash mismatch/) });
  });
});
