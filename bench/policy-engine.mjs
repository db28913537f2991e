// Policy engine micro-benchmark: decisions per second for 20 realistic rules, compiled engine
// against json-logic-js interpreting each rule per decision (same match logic, same precedence),
// in the same run; then list-time visibility over 100 items.
//
//   npm run build && node bench/policy-engine.mjs
//
// BENCH_POLICY_MS (default 1500) is the measured time per round; there are 3 rounds per side,
// interleaved, and the median round is reported. It exits 1 if the two sides ever disagree.
import jsonLogic from "json-logic-js";
import { compileLogic, compileMatch, compilePolicies } from "../dist/policy/index.js";

const ROUND_MS = Number(process.env.BENCH_POLICY_MS ?? 1500);
const ROUNDS = 3;
const INPUTS = 4000;

const isRole = (role) => ({ in: [role, { var: "identity.roles" }] });
const WRITES = ["*__delete*", "*__write*", "*__update*", "*__create*"];

/** @type {import("../dist/policy/index.js").PolicyRuleSpec[]} */
const RULES = [
  { name: "night-writes", effect: "deny", match: { names: WRITES }, when: { or: [{ ">=": [{ var: "time.hour" }, 22] }, { "<": [{ var: "time.hour" }, 6] }] } },
  { name: "admins", effect: "allow", when: isRole("admin") },
  { name: "analysts-read", effect: "allow", match: { kinds: ["tool"], names: ["crm__search*", "crm__get*"] }, when: isRole("analyst") },
  { name: "pii-no-mail", effect: "deny", match: { backends: ["mail"] }, when: { some: [{ var: "session.labelsSeen" }, { in: [{ var: "" }, ["pii", "secret"]] }] } },
  { name: "gold-billing", effect: "allow", match: { backends: ["billing"] }, when: { "==": [{ var: "identity.claims.tier" }, "gold"] } },
  { name: "big-exports", effect: "deny", match: { names: ["*__export*"] }, when: { ">": [{ var: ["request.arguments.limit", 0] }, 1000] } },
  { name: "prompts", effect: "allow", match: { kinds: ["prompt"] } },
  { name: "public-files", effect: "allow", match: { kinds: ["resource", "resourceTemplate"], names: ["file:///public/*"] } },
  { name: "no-dotdot", effect: "deny", match: { backends: ["fs"] }, when: { in: ["..", { var: ["request.arguments.path", ""] }] } },
  { name: "support-tickets", effect: "allow", match: { backends: ["ticketing"] }, when: { and: [isRole("support"), { "!": { missing: ["request.arguments.ticket"] } }] } },
  { name: "weekend-deploys", effect: "deny", match: { names: ["ci__deploy*"] }, when: { in: [{ var: "time.weekday" }, [0, 6]] } },
  { name: "acme-staff", effect: "allow", when: { and: [{ "==": [{ var: "identity.claims.org" }, "acme"] }, { "!": isRole("contractor") }] } },
  { name: "blocked-users", effect: "deny", when: { in: [{ var: "identity.sub" }, ["mallory", "trudy", "eve", "oscar", "sybil"]] } },
  { name: "own-records", effect: "allow", match: { names: ["crm__update*"] }, when: { "==": [{ var: "request.arguments.owner" }, { var: "identity.sub" }] } },
  { name: "foreign-issuer-writes", effect: "deny", match: { names: WRITES }, when: { "!=": [{ var: "identity.iss" }, "https://idp.acme.example"] } },
  { name: "read-only", effect: "allow", match: { names: ["*__list*", "*__get*", "*__search*"] }, when: { "!!": [{ var: "identity.sub" }] } },
  { name: "huge-batches", effect: "deny", when: { ">": [{ var: ["request.arguments.ids.length", 0] }, 50] } },
  { name: "contractor-hours", effect: "allow", when: { and: [isRole("contractor"), { "<=": [9, { var: "time.hour" }, 17] }] } },
  { name: "secret-targets", effect: "deny", when: { in: ["secret", { var: "target.labels" }] } },
  { name: "mail-drafts", effect: "allow", match: { backends: ["mail"], names: ["mail__draft*"], methods: ["tools/call"] } },
];

// Deterministic inputs, so two runs measure the same work.
let seed = 20261130;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const pick = (items) => items[Math.floor(random() * items.length)];
const some = (items) => items.filter(() => random() < 0.3);

const ITEMS = {
  crm: ["search_contacts", "get_contact", "update_contact", "delete_contact", "export_contacts"],
  billing: ["list_invoices", "get_invoice", "create_refund"],
  mail: ["draft_message", "send_message", "search_inbox"],
  fs: ["read_file", "write_file", "list_directory"],
  ticketing: ["create_ticket", "update_ticket", "search_tickets"],
  ci: ["deploy_service", "list_pipelines", "get_logs"],
};
const BACKENDS = Object.keys(ITEMS);

function target() {
  const roll = random();
  const backend = pick(BACKENDS);
  if (roll < 0.8) {
    const original = pick(ITEMS[backend]);
    return { kind: "tool", name: `${backend}__${original}`, original, method: "tools/call", backend };
  }
  if (roll < 0.9) return { kind: "prompt", name: `${backend}__summarize`, original: "summarize", method: "prompts/get", backend };
  const uri = `file:///${pick(["public", "private"])}/${pick(["a", "b", "c"])}.txt`;
  return { kind: "resource", name: uri, original: uri, method: "resources/read", backend: "fs" };
}

function input() {
  const t = target();
  return {
    identity: {
      sub: pick(["alice", "bob", "carol", "dave", "mallory", "erin"]),
      iss: pick(["https://idp.acme.example", "https://idp.acme.example", "https://other.example"]),
      roles: some(["admin", "analyst", "support", "contractor", "viewer"]),
      claims: { tier: pick(["gold", "silver"]), org: pick(["acme", "acme", "globex"]), email: "x@acme.example" },
    },
    request: {
      method: t.method,
      name: t.name,
      arguments: {
        limit: pick([10, 100, 5000]),
        path: pick(["docs/readme.md", "../etc/passwd", "src/a.ts"]),
        owner: pick(["alice", "bob"]),
        ...(random() < 0.5 ? { ticket: "T-1" } : {}),
        ...(random() < 0.3 ? { ids: Array.from({ length: pick([3, 60]) }, (_, i) => i) } : {}),
      },
    },
    target: { kind: t.kind, name: t.name, original: t.original, labels: random() < 0.05 ? ["secret"] : [] },
    backend: { name: t.backend, labels: [] },
    session: { id: "s-1", binding: "http", labelsSeen: some(["pii", "public", "finance"]) },
    time: { iso: "2026-11-30T10:00:00.000Z", epochMs: 0, hour: Math.floor(random() * 24), weekday: Math.floor(random() * 7) },
  };
}

const inputs = Array.from({ length: INPUTS }, input);

/** The interpreting baseline: json-logic-js apply per rule per decision, the engine's match and precedence. */
function interpreter(spec) {
  const rules = spec.rules
    .filter((rule) => (rule.actions ?? ["list", "call"]).includes("call"))
    .map((rule) => ({ ...rule, matches: compileMatch(rule.match), decision: { allowed: rule.effect === "allow", rule: rule.name } }));
  const byDefault = { allowed: spec.default === "allow", rule: "default" };
  return (data) => {
    let allowedBy;
    for (const rule of rules) {
      if (allowedBy !== undefined && rule.effect === "allow") continue;
      if (!rule.matches(data)) continue;
      if (rule.when !== undefined && !jsonLogic.truthy(jsonLogic.apply(rule.when, data))) continue;
      if (rule.effect === "deny") return rule.decision;
      allowedBy = rule.decision;
    }
    return allowedBy ?? byDefault;
  };
}

const spec = { default: "deny", rules: RULES };
const engine = compilePolicies(spec);
const interpret = interpreter(spec);
const compiled = (data) => engine.decide(data);

// Same answers first: a fast wrong engine is no result.
let allowedCount = 0;
for (const data of inputs) {
  const a = interpret(data), b = compiled(data);
  if (a.allowed !== b.allowed || a.rule !== b.rule) {
    console.error("disagreement:", JSON.stringify(data), a, b);
    process.exit(1);
  }
  if (b.allowed) allowedCount++;
}
const decidingRules = new Set(inputs.map((d) => engine.decide(d).rule));

/** Decisions per second over ROUND_MS, checking the clock every pass over the inputs. */
function round(decide) {
  let decisions = 0, sink = 0;
  const start = process.hrtime.bigint();
  const until = start + BigInt(ROUND_MS) * 1_000_000n;
  let now = start;
  while (now < until) {
    for (let i = 0; i < inputs.length; i++) if (decide(inputs[i]).allowed) sink++;
    decisions += inputs.length;
    now = process.hrtime.bigint();
  }
  if (sink < 0) console.log(sink);
  return decisions / (Number(now - start) / 1e9);
}

const median = (values) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)];

// Warm both up, then interleave the rounds so drift on a shared machine hits both sides alike.
for (let i = 0; i < 20; i++) for (const data of inputs) (interpret(data), compiled(data));
const baseline = [], ours = [];
for (let r = 0; r < ROUNDS; r++) {
  baseline.push(round(interpret));
  ours.push(round(compiled));
}
const baselineRate = median(baseline), oursRate = median(ours);

// The rules' `when` alone, every rule on every input (no match, no precedence): what compiling buys.
const whens = RULES.filter((r) => r.when !== undefined).map((r) => r.when);
const compiledWhens = whens.map((w) => compileLogic(w));
const applyAll = (data) => {
  let n = 0;
  for (let i = 0; i < whens.length; i++) if (jsonLogic.truthy(jsonLogic.apply(whens[i], data))) n++;
  return { allowed: n > 0 };
};
const runAll = (data) => {
  let n = 0;
  for (let i = 0; i < compiledWhens.length; i++) if (jsonLogic.truthy(compiledWhens[i](data))) n++;
  return { allowed: n > 0 };
};
for (let i = 0; i < 10; i++) for (const data of inputs) (applyAll(data), runAll(data));
const applyRates = [], runRates = [];
for (let r = 0; r < ROUNDS; r++) {
  applyRates.push(round(applyAll) * whens.length);
  runRates.push(round(runAll) * whens.length);
}
const applyRate = median(applyRates), runRate = median(runRates);

// List time: 100 distinct items, all 20 rules, one caller per listing.
const items = [];
for (const backend of BACKENDS) for (const original of ITEMS[backend]) items.push({ kind: "tool", name: `${backend}__${original}`, original, backend, method: "tools/call" });
for (let i = 0; items.length < 100; i++) {
  const uri = `file:///${i % 2 ? "public" : "private"}/doc-${i}.txt`;
  items.push({ kind: "resource", name: uri, original: uri, backend: "fs", method: "resources/read" });
}
const callers = inputs.slice(0, 50).map((d) => d.identity);
const listings = callers.map((identity) =>
  items.map((it) => ({
    identity,
    request: { method: it.method, name: it.name },
    target: { kind: it.kind, name: it.name, original: it.original, labels: [] },
    backend: { name: it.backend, labels: [] },
  })),
);
const listOnce = (listing) => {
  let shown = 0;
  for (let i = 0; i < listing.length; i++) if (engine.visible(listing[i])) shown++;
  return shown;
};
for (let i = 0; i < 200; i++) for (const listing of listings) listOnce(listing);
let listed = 0, listingsDone = 0;
const listStart = process.hrtime.bigint();
const listUntil = listStart + BigInt(ROUND_MS) * 1_000_000n;
let listNow = listStart;
while (listNow < listUntil) {
  for (const listing of listings) listed += listOnce(listing);
  listingsDone += listings.length;
  listNow = process.hrtime.bigint();
}
const perListingUs = Number(listNow - listStart) / 1e3 / listingsDone;

const fmt = (n) => Math.round(n).toLocaleString("en-US");
console.log(`Node ${process.version}, ${RULES.length} rules, ${inputs.length} inputs (${allowedCount} allowed; ${decidingRules.size} distinct deciding rules), ${ROUNDS} rounds × ${ROUND_MS} ms, median`);
console.log(`  json-logic-js apply per rule   ${fmt(baselineRate).padStart(12)} decisions/s   ${(1e6 / baselineRate).toFixed(2)} µs/decision`);
console.log(`  compiled engine (decide)       ${fmt(oursRate).padStart(12)} decisions/s   ${(1e6 / oursRate).toFixed(2)} µs/decision`);
console.log(`  ratio                          ${(oursRate / baselineRate).toFixed(1)}×`);
console.log(`  when alone (${whens.length} rules, no match): json-logic-js ${(1e9 / applyRate).toFixed(0)} ns, compiled ${(1e9 / runRate).toFixed(0)} ns per rule evaluation (${(runRate / applyRate).toFixed(1)}×)`);
console.log(`  visible: 100 items × ${RULES.length} rules    ${perListingUs.toFixed(1)} µs per listing (${(perListingUs * 10).toFixed(0)} ns per item), ${(listed / listingsDone).toFixed(1)} of 100 listed on average`);
