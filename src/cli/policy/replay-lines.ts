import { DECIDED_AS, listData, type PolicyItem } from "../../compile/authorize.js";
import type { Identity } from "../../core/context.js";
import { compilePartialDecisions, type KnownData, type PartialDecision, type PolicyData, ruleReads } from "../../policy/index.js";
import { requestData, itemsOf } from "./decide-request.js";
import type { RequestInput } from "./inputs.js";
import { snapshotSurface } from "./surface-of.js";
import type { PolicyWorkspace } from "./workspace.js";

/** One recorded request, re-decided. */
export interface ReplayedLine {
  /** 1-based line number in the audit file. */
  readonly line: number;
  readonly requestId?: unknown;
  readonly time?: string;
  readonly method: string;
  readonly target: string;
  readonly identity: string;
  readonly recorded: { readonly decision: "allow" | "deny"; readonly rule?: string };
  /** Under the other config; `decision: "undecidable"` when it depends on what the line did not record. */
  readonly next: { readonly decision: "allow" | "deny" | "undecidable"; readonly rule?: string; readonly hidden?: true; readonly unknownRules?: readonly string[]; readonly unknown?: readonly string[] };
}

const KINDS = new Set(["tool", "prompt", "resource", "resourceTemplate"]);
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Re-decides recorded requests under another config. From each line: the identity with the
 * claims it recorded, the request with its arguments when recorded, the session's labels and
 * the line's time; the item's backend, original name and labels come from the other config.
 * What the line did not record is unknown, and a decision that depends on it is undecidable.
 */
export function replayLines(ws: PolicyWorkspace, text: string): { replayed: ReplayedLine[]; skipped: number } {
  const engine = ws.engine;
  const partial = ws.config.policies ? compilePartialDecisions(ws.config.policies) : undefined;
  const surface = snapshotSurface(ws);
  /** The labels each session had seen as of its previous line: what this call's own labels are told apart from. */
  const sessionLabels = new Map<string, ReadonlySet<string>>();
  const replayed: ReplayedLine[] = [];
  let skipped = 0;
  text.split("\n").forEach((raw, index) => {
    if (raw.trim() === "") return;
    let line: Record<string, unknown>;
    try {
      line = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      skipped++;
      return;
    }
    const method = typeof line.method === "string" ? line.method : "";
    if (line.event !== "request" || (line.decision !== "allow" && line.decision !== "deny") || DECIDED_AS[method] === undefined || typeof line.target !== "string" || !KINDS.has(line.kind as string)) {
      skipped++;
      return;
    }
    const recordedIdentity = isRecord(line.identity) ? line.identity : {};
    const claims = isRecord(recordedIdentity.claims) ? recordedIdentity.claims : {};
    const identity: Identity = {
      sub: String(recordedIdentity.sub ?? "anonymous"),
      ...(typeof recordedIdentity.iss === "string" ? { iss: recordedIdentity.iss } : {}),
      roles: Array.isArray(recordedIdentity.roles) ? recordedIdentity.roles.map(String) : [],
      scopes: Array.isArray(recordedIdentity.scopes) ? recordedIdentity.scopes.map(String) : [],
      claims,
    };
    const argumentsKnown = line.argumentsDigest === undefined || isRecord(line.arguments);
    const named = line.kind === "tool" || line.kind === "prompt";
    // A line without a readable time leaves the time unknown (not "now": that would be a guess).
    const timeKnown = typeof line.time === "string" && !Number.isNaN(Date.parse(line.time));
    const request: RequestInput = {
      method,
      ...(named ? { name: line.target } : { uri: line.target }),
      ...(isRecord(line.arguments) ? { arguments: line.arguments } : {}),
      ...(timeKnown ? { time: line.time as string } : {}),
    };
    const items = itemsFor(ws, request, surface, line);
    const own = new Set(items.flatMap((it) => [...it.labels, ...it.backendLabels]));
    const session = typeof line.session === "string" ? line.session : "";
    const recordedLabels = Array.isArray(line.labelsSeen) ? line.labelsSeen.map(String) : [];
    const before = sessionLabels.get(session);
    sessionLabels.set(session, new Set(recordedLabels));
    // The line is written after its call: an allowed call's own labels, new in this line, were added by it.
    // (A set: a line is read once, however many labels a crafted one lists.)
    const labelsSeen = line.decision === "allow" ? recordedLabels.filter((l) => !own.has(l) || (before?.has(l) ?? false)) : recordedLabels;
    const base = requestData(identity, { ...request, labelsSeen }, items[0]!);
    const data: PolicyData = { ...base, session: { id: session, binding: typeof line.binding === "string" ? line.binding : "", labelsSeen } };
    const recorded = { decision: line.decision, ...(typeof line.rule === "string" ? { rule: line.rule } : {}) } as ReplayedLine["recorded"];
    const known = knownData(argumentsKnown, Object.keys(claims), timeKnown);
    let next: ReplayedLine["next"];
    if (!engine || !partial) next = { decision: "allow" };
    else if (isExact(ws, argumentsKnown, claims, timeKnown)) {
      // Everything the other config reads was recorded: the real decision, exactly.
      if (!items.every((it) => engine.visible(listData(identity, it)))) next = fromPartial(ws, decideItems(partial, data, items, known), argumentsKnown, claims, timeKnown);
      else {
        const decision = items.map((it, i) => engine.decide(i === 0 ? data : { ...data, target: { kind: it.kind, name: it.name, original: it.original, labels: it.labels } })).find((d) => !d.allowed) ?? engine.decide(data);
        next = { decision: decision.allowed ? "allow" : "deny", rule: decision.rule };
      }
    } else next = fromPartial(ws, decideItems(partial, data, items, known), argumentsKnown, claims, timeKnown);
    replayed.push({
      line: index + 1,
      ...(line.requestId === undefined ? {} : { requestId: line.requestId }),
      ...(typeof line.time === "string" ? { time: line.time } : {}),
      method,
      target: line.target,
      identity: identity.sub,
      recorded,
      next,
    });
  });
  return { replayed, skipped };
}

/**
 * The partial decision over every item a request stands for, combined as the authorize stage
 * combines them: an item the caller cannot list hides the request (a URI only a template
 * produces is hidden when the template is), else the first refusal decides.
 */
function decideItems(partial: (data: PolicyData, known: KnownData) => PartialDecision, data: PolicyData, items: readonly PolicyItem[], known: KnownData): PartialDecision {
  const decisions = items.map((it, i) => partial(i === 0 ? data : { ...data, target: { kind: it.kind, name: it.name, original: it.original, labels: it.labels } }, known));
  const hidden = decisions.find((d) => d.hidden);
  if (hidden !== undefined) return hidden;
  let decision = decisions[0]!;
  for (const other of decisions.slice(1)) {
    if (decision.allowed === false) break;
    // Refused whatever the first item's unknowns are: the request is refused (by this rule, if the first would allow).
    if (other.allowed === false) decision = other;
    else if (decision.allowed === undefined || other.allowed === undefined) {
      decision = { allowed: undefined, unknownRules: [...new Set([...(decision.unknownRules ?? []), ...(other.unknownRules ?? [])])] };
    }
  }
  return decision;
}

/** The item as the other config names it; a name it cannot place keeps the backend the line recorded. */
function itemsFor(ws: PolicyWorkspace, request: RequestInput, surface: ReturnType<typeof snapshotSurface>, line: Record<string, unknown>): PolicyItem[] {
  try {
    return itemsOf(ws, request, surface);
  } catch {
    const backend = String(line.backend ?? "");
    const kind = line.kind as PolicyItem["kind"];
    const name = String(line.target);
    const prefix = `${ws.pipeline.backends.namespaces.get(backend) ?? backend}${ws.pipeline.backends.separator}`;
    const original = kind === "tool" || kind === "prompt" ? (name.startsWith(prefix) ? name.slice(prefix.length) : name) : name;
    return [{ kind, name, original, backend, labels: ws.labels.item(kind, backend, original), backendLabels: ws.labels.backend(backend) }];
  }
}

/** Whether the line recorded everything the other config's rules read (so the real engine decides, exactly). */
function isExact(ws: PolicyWorkspace, argumentsKnown: boolean, claims: Record<string, unknown>, timeKnown: boolean): boolean {
  const engine = ws.engine!;
  if (engine.readsAllClaims) return false;
  if (!argumentsKnown && engine.reads.arguments) return false;
  if (!timeKnown && engine.reads.time) return false;
  return engine.claimsRead.every((claim) => claim in claims);
}

/** Unknown: argument values when only a digest was recorded, every claim the line did not record, the time when it has none. */
function knownData(argumentsKnown: boolean, recordedClaims: readonly string[], timeKnown: boolean): KnownData {
  const claims = new Set(recordedClaims);
  return {
    key: `${argumentsKnown}\u0000${timeKnown}\u0000${[...claims].sort().join("\u0000")}`,
    unknown: (name) => {
      if (name === undefined || name === null || name === "") return true;
      const path = String(name);
      if (!timeKnown && (path === "time" || path.startsWith("time."))) return true;
      if (!argumentsKnown && (path === "request" || path === "request.arguments" || path.startsWith("request.arguments."))) return true;
      if (path === "identity" || path === "identity.claims") return true;
      if (path.startsWith("identity.claims.")) return !claims.has(path.split(".")[2]!);
      return false;
    },
  };
}

function fromPartial(ws: PolicyWorkspace, decision: PartialDecision, argumentsKnown: boolean, claims: Record<string, unknown>, timeKnown: boolean): ReplayedLine["next"] {
  if (decision.allowed === undefined) {
    const unknownRules = decision.unknownRules ?? [];
    // What those rules read that the line did not record: the reason, in the terms of the audit settings.
    const unknown = new Set<string>();
    for (const spec of ws.config.policies!.rules) {
      if (!unknownRules.includes(spec.name)) continue;
      const reads = ruleReads(spec);
      if (reads.arguments && !argumentsKnown) unknown.add("request.arguments (only a digest was recorded: audit.includeArguments is off)");
      if (reads.time && !timeKnown) unknown.add("time (the line has no readable time)");
      for (const claim of reads.claims) if (!(claim in claims)) unknown.add(`identity.claims.${claim} (not recorded: no policy read it when the line was written)`);
      if (reads.allClaims) unknown.add("identity.claims (read whole or by a computed path; the line has only the claims read then)");
    }
    return { decision: "undecidable", unknownRules, unknown: [...unknown] };
  }
  return { decision: decision.allowed ? "allow" : "deny", ...(decision.rule === undefined ? {} : { rule: decision.rule }), ...(decision.hidden ? { hidden: true as const } : {}) };
}
