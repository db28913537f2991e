import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openAuditLog } from "../../../src/audit/index.js";
import type { AuditLog, AuditSinkSpec } from "../../../src/audit/index.js";

export function tempFile(name = "audit.jsonl"): string {
  return join(mkdtempSync(join(tmpdir(), "audit-test-")), name);
}

export interface Reported {
  readonly messages: string[];
  readonly report: (message: string, error?: unknown) => void;
}

export function collectReports(): Reported {
  const messages: string[] = [];
  return { messages, report: (message) => void messages.push(message) };
}

export function fileSpec(file: string, extra: Partial<AuditSinkSpec> = {}): AuditSinkSpec {
  return { sink: "file", file, chain: true, onFailure: "log", ...extra };
}

/** Writes records and closes, as one gateway run would. */
export async function run(spec: AuditSinkSpec, records: ReadonlyArray<Record<string, unknown>>, report = collectReports().report): Promise<void> {
  const log: AuditLog = await openAuditLog(spec, report);
  for (const record of records) log.write(record);
  await log.close();
}

export const readLines = (file: string): string[] => readFileSync(file, "utf8").split("\n").filter((line) => line !== "");

export const records = (count: number, from = 0) => Array.from({ length: count }, (_, index) => ({ time: 1_700_000_000_000 + from + index, id: from + index, method: "tools/call" }));

/** Polls until `condition` holds; fails after a generous bound rather than sleeping "long enough". */
export async function until(condition: () => boolean, what: string, boundMs = 10_000): Promise<void> {
  const deadline = Date.now() + boundMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
