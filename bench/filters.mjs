// Throughput of a response filter's apply() with one redaction pattern, next to native JS
// RegExp replace of the same pattern doing the same copy-on-change work, in the same run.
//
//   npm run build && node bench/filters.mjs     (BENCH_FILTER_SECONDS=2 per case and side)
//
// Native RegExp is the floor, not an option: it backtracks, so a user's pattern could hang the
// proxy on a crafted result. The ratio says what linear-time matching (re2js) costs. Two
// patterns: the headline one starts with a literal (`sk-`), which re2js's search can jump
// between; the second does not, the slowest kind for re2js (see src/filters/text-redactor.ts).
import { compileFilters } from "../dist/filters/index.js";

const SECONDS = Number(process.env.BENCH_FILTER_SECONDS ?? 2);
const ROUNDS = 5;

const PATTERNS = [
  { pattern: "sk-[A-Za-z0-9]{20,}", flags: "", secret: "sk-Q7fTz9LmX2pR4vB8nK1wYc3D" },
  { pattern: "password\\s*[:=]\\s*\\S+", flags: "i", secret: "Password: hunter2-correct-horse" },
];
const TARGET = { method: "tools/call", kind: "tool", name: "crm__lookup", backend: "crm" };

/** The same work as apply() on these results (text blocks, copy on change), with native RegExp. */
function nativeApplier(pattern, flags) {
  const regex = new RegExp(pattern, `g${flags}`);
  return (result) => {
    let changed = false;
    const content = result.content.map((block) => {
      if (block.type !== "text") return block;
      const text = block.text.replace(regex, "[REDACTED]");
      if (text === block.text) return block;
      changed = true;
      return { ...block, text };
    });
    return changed ? { ...result, content } : { ...result };
  };
}

const LINE = "2026-11-29T18:40:12Z INFO request served for customer 4711 in 23 ms from cache region eu-west-1";
function textOfBytes(bytes, secret, secrets) {
  const lines = [];
  for (let length = 0; length < bytes; length += LINE.length + 1) lines.push(LINE);
  const every = Math.floor(lines.length / Math.max(secrets, 1));
  for (let i = 0; i < secrets; i++) lines[i * every + Math.floor(every / 2)] = `issued ${secret} for customer 4711`;
  return lines.join("\n").slice(0, bytes);
}

const small = (secret) => ({
  content: [
    {
      type: "text",
      text: secret
        ? `Customer 4711 found: Ada Lovelace, plan Pro, credential ${secret}, created 2026-11-02, last login from 10.0.0.12 via the web console.`
        : "Customer 4711 found: Ada Lovelace, plan Pro, no credential on file, created 2026-11-02, last login from 10.0.0.12 via the web console.",
    },
  ],
  isError: false,
});
const large = (secret, secrets) => ({ content: [{ type: "text", text: textOfBytes(64 * 1024, secret, secrets) }], isError: false });

/** Calls per second of `run` over `seconds` (after a warm-up that lets the JIT settle). */
function opsPerSecond(run, input, seconds) {
  const warmUpUntil = performance.now() + 100;
  while (performance.now() < warmUpUntil) run(input);
  let ops = 0;
  const start = performance.now();
  const deadline = start + seconds * 1000;
  let now = start;
  while (now < deadline) {
    run(input);
    ops++;
    now = performance.now();
  }
  return ops / ((now - start) / 1000);
}

/** The shared CPUs this runs on are noisy: alternate the two sides in rounds and keep each side's median. */
function compare(ours, theirs, input) {
  const a = [];
  const b = [];
  for (let i = 0; i < ROUNDS; i++) {
    a.push(opsPerSecond(ours, input, SECONDS / ROUNDS));
    b.push(opsPerSecond(theirs, input, SECONDS / ROUNDS));
  }
  const median = (values) => values.sort((x, y) => x - y)[Math.floor(values.length / 2)];
  return [median(a), median(b)];
}

const fmt = (n) => Math.round(n).toLocaleString("en-US");
console.log(`${SECONDS}s per case and side (median of ${ROUNDS} alternating rounds), Node ${process.version}`);
for (const { pattern, flags, secret } of PATTERNS) {
  const filter = compileFilters([{ name: "secrets", redact: [{ pattern, flags }] }]).select(TARGET);
  const nativeApply = nativeApplier(pattern, flags);
  const cases = [
    ["small (~200 B text), 1 secret", small(secret)],
    ["small (~200 B text), no secret", small(undefined)],
    ["64 KB text, 8 secrets", large(secret, 8)],
    ["64 KB text, no secret", large(secret, 0)],
  ];
  console.log(`\n/${pattern}/${flags}`);
  console.log(`${"case".padEnd(32)} ${"re2js ops/s".padStart(12)} ${"native ops/s".padStart(12)} ${"re2js/native".padStart(13)}`);
  for (const [label, result] of cases) {
    if (JSON.stringify(filter.apply(result)) !== JSON.stringify(nativeApply(result))) throw new Error(`${label}: re2js and native disagree`);
    const [re2, native] = compare((r) => filter.apply(r), nativeApply, result);
    console.log(`${label.padEnd(32)} ${fmt(re2).padStart(12)} ${fmt(native).padStart(12)} ${(re2 / native).toFixed(2).padStart(13)}`);
  }
}
