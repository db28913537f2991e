import { describe, expect, it } from "vitest";
import { JsonLineReader } from "../../src/core/json-lines.js";

function reader(limit?: number) {
  const messages: unknown[] = [];
  const invalid: string[] = [];
  const r = new JsonLineReader((m) => messages.push(m), (line) => invalid.push(line), limit);
  return { r, messages, invalid };
}

describe("JSON line framing", () => {
  it("splits messages across and within chunks, multi-byte characters included", () => {
    const { r, messages } = reader();
    const text = '{"a":"é"}\n{"b":2}\n{"c":';
    const bytes = Buffer.from(`${text}3}\n`);
    // Cut inside the two-byte é to check the decoder keeps characters whole.
    const cut = Buffer.from('{"a":"').length + 1;
    r.push(bytes.subarray(0, cut));
    r.push(bytes.subarray(cut));
    expect(messages).toEqual([{ a: "é" }, { b: 2 }, { c: 3 }]);
  });

  it("reports a line that is not JSON and carries on", () => {
    const { r, messages, invalid } = reader();
    r.push(Buffer.from('nope\n{"ok":true}\n\n'));
    expect(invalid).toEqual(["nope"]);
    expect(messages).toEqual([{ ok: true }]);
  });

  it("assembles a large message from many small chunks", () => {
    const { r, messages } = reader();
    const big = JSON.stringify({ data: "x".repeat(2_000_000) });
    const bytes = Buffer.from(`${big}\n`);
    for (let i = 0; i < bytes.length; i += 65_536) r.push(bytes.subarray(i, i + 65_536));
    expect(messages).toHaveLength(1);
    expect((messages[0] as { data: string }).data.length).toBe(2_000_000);
  });

  it("refuses a line that grows past the limit", () => {
    const { r } = reader(1000);
    expect(r.push(Buffer.from("x".repeat(999)))).toBe(true);
    expect(r.push(Buffer.from("x".repeat(10)))).toBe(false);
  });

  it("skips an oversized line up to its newline, reports its size and edges, and reads on", () => {
    const messages: unknown[] = [];
    const skipped: Array<{ bytes: number; head: string; tail: string }> = [];
    const r = new JsonLineReader((m) => messages.push(m), () => undefined, 1000, (line) => skipped.push(line));
    const big = `{"result":{"text":"${"x".repeat(5000)}"},"jsonrpc":"2.0","id":"gw-7"}`;
    const bytes = Buffer.from(`${big}\n{"ok":1}\n`);
    for (let i = 0; i < bytes.length; i += 300) r.push(bytes.subarray(i, i + 300));
    expect(messages).toEqual([{ ok: 1 }]);
    expect(skipped).toHaveLength(1);
    expect(skipped[0]!.bytes).toBe(big.length);
    expect(skipped[0]!.head.startsWith('{"result"')).toBe(true);
    expect(skipped[0]!.tail.endsWith('"id":"gw-7"}')).toBe(true);
  });
});
