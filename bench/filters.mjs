// Throughput of a response filter's apply() with one redaction pattern, next to native JS
// RegExp replace of the same pattern doing the same copy-on-change work, in the same run.
//
//   npm run build && node bench/filters.mjs        (BENCH_FILTER_SECONDS=2 per case and side by default)
//
// Native RegExp is the floor, not an option: it backtracks, so a user's pattern could hang the
// proxy on a crafted result. The ratio says what linear-time matching (re2js) costs.
import { compileFilters } from "../dist/filters/index.js";

const PATTERN = "sk-[A-Za-z0-9]{20,}";
const SECONDS = Number(process.env.BENCH_FILTER_SECONDS ?? 2);
const SECRET = "sk-Q7fTz9LmX2pR4vB8nK1wYc3D";

const filter = compileFilters([{ name: "api-keys", redact: [{ pattern: PATTERN }] }]).select({
  method: "tools/call",
  kind: "tool",
  name: "crm__lookup",
  backend: "crm",
});

/** The same work as apply() on these results (text blocks, copy on change), with native RegExp. */
const nativeRegex = new RegExp(PATTERN, "g");
function nativeApply(result) {
  let changed = false;
  const content = result.content.map((block) => {
    if (block.type !== "text") return block;
    const text = block.text.replace(nativeRegex, "[REDACTED]");
    if (text === block.text) return block;
    changed = true;
    return { ...block, text };
  });
  return changed ? { ...result, content } : { ...result };
}

const LINE = "2026-11-29T18:40:12Z INFO request served for customer 4711 in 23 ms from cache region eu-west-1";
function textOfBytes(bytes, secrets) {
  const lines = [];
  let length = 0;
  while (length < bytes) {
    lines.push(LINE);
    length += LINE.length + 1;
  }
  const every = secrets > 0 ? Math.floor(lines.length / secrets) : 0;
  for (let i = 0; i < secrets; i++) lines[i * every + Math.floor(every / 2)] = `token issued: ${SECRET} for customer 4711`;
  return lines.join("\n").slice(0, bytes);
}

const small = (secret) => ({
  content: [
    {
      type: "text",
      text: secret
        ? `Customer 4711 found: Ada Lovelace, plan Pro, API key ${SECRET}, created 2026-11-02, last login from 10.0.0.12 via the web console.`
        : "Customer 4711 found: Ada Lovelace, plan Pro, no API key on file, created 2026-11-02, last login from 10.0.0.12 via the web console.",
    },
  ],
  isError: false,
});
const large = (secrets) => ({ content: [{ type: "text", text: textOfBytes(64 * 1024, secrets) }], isError: false });

const cases = [
  ["small (~200 B text), 1 secret", small(true)],
  ["small (~200 B text), no secret", small(false)],
  ["64 KB text, 8 secrets", large(8)],
  ["64 KB text, no secret", large(0)],
];

/** Calls per second of `run` over `seconds` (after a warm-up that lets the JIT settle). */
function opsPerSecond(run, input, seconds) {
  for (let i = 0; i < 2_000; i++) run(input);
  let ops = 0;
  const start = performance.now();
  const deadline = start + seconds * 1000;
  let now = start;
  while (now < deadline) {
    for (let i = 0; i < 50; i++) run(input);
    ops += 50;
    now = performance.now();
  }
  return ops / ((now - start) / 1000);
}

/** The shared CPUs this runs on are noisy: alternate the two sides in rounds and keep each side's median. */
function compare(result, rounds = 5) {
  const ours = [];
  const theirs = [];
  for (let i = 0; i < rounds; i++) {
    ours.push(opsPerSecond((r) => filter.apply(r), result, SECONDS / rounds));
    theirs.push(opsPerSecond(nativeApply, result, SECONDS / rounds));
  }
  const median = (values) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
  return [median(ours), median(theirs)];
}

const fmt = (n) => Math.round(n).toLocaleString("en-US");
console.log(`pattern /${PATTERN}/, ${SECONDS}s per case and side (median of 5 alternating rounds), Node ${process.version}\n`);
console.log(`${"case".padEnd(32)} ${"re2js ops/s".padStart(12)} ${"native ops/s".padStart(12)} ${"re2js/native".padStart(13)}`);
for (const [label, result] of cases) {
  if (JSON.stringify(filter.apply(result)) !== JSON.stringify(nativeApply(result))) throw new Error(`${label}: re2js and native disagree`);
  const [re2, native] = compare(result);
  console.log(`${label.padEnd(32)} ${fmt(re2).padStart(12)} ${fmt(native).padStart(12)} ${(re2 / native).toFixed(2).padStart(13)}`);
}
