import { DECIDED_AS, listData, type PolicyItem } from "../../compile/authorize.js";
import type { Identity } from "../../core/context.js";
import { backendsClaiming } from "../../core/resolve-target.js";
import { ownerOfUri, type Surface } from "../../core/surface.js";
import { compilePartialDecisions, type ItemKind, type KnownData, type PolicyData, type RuleExplanation } from "../../policy/index.js";
import { UsageError } from "../io.js";
import type { RequestInput } from "./inputs.js";
import type { PolicyWorkspace } from "./workspace.js";

/** The kind of item each decided method names. */
const KIND_OF: Readonly<Record<string, ItemKind>> = { "tools/call": "tool", "prompts/get": "prompt", "resources/read": "resource" };

/** Offline every field of the request is given: nothing is unknown but what listing never knows. */
const EVERYTHING_KNOWN: KnownData = { key: "known", unknown: () => false };

/** One request decided offline, as the gateway's authorize stage would decide it. */
export interface OfflineDecision {
  readonly decision: "allow" | "deny" | "hidden";
  /** The deciding rule, "default", or absent when the config has no policies. */
  readonly rule?: string;
  /** The items decided: one, or a resource and the template that produces it. */
  readonly items: readonly PolicyItem[];
  /** Per rule (call rules, config order), for the first item: whether it matched and what `when` gave. */
  readonly rules: readonly RuleExplanation[];
  /** The data the rules saw (for the first item). */
  readonly data: PolicyData;
}

/**
 * The item a request names, as the config names things: from a surface (a snapshot or live
 * listing) when there is one, else from a route's rename or the namespace prefix.
 */
export function itemsOf(ws: PolicyWorkspace, request: RequestInput, surface: Surface | undefined): PolicyItem[] {
  const method = DECIDED_AS[request.method];
  const kind = method === undefined ? undefined : KIND_OF[method];
  if (kind === undefined) throw new UsageError(`request method ${JSON.stringify(request.method)} is not decided by policy (use tools/call, prompts/get, resources/read or resources/subscribe)`);
  const make = (k: ItemKind, name: string, backend: string, original: string, template?: string): PolicyItem => ({
    kind: k,
    name,
    original,
    backend,
    labels: ws.labels.item(k, backend, original, template),
    backendLabels: ws.labels.backend(backend),
  });
  if (kind === "resource") {
    const uri = request.uri;
    if (uri === undefined) throw new UsageError(`a ${request.method} request needs "uri"`);
    const backend = (surface && ownerOfUri(surface, uri)) ?? onlyBackend(ws);
    if (backend === undefined) throw new UsageError(`cannot tell which backend serves ${uri}: ${surface ? "no listed resource or template has it" : "give a surface snapshot (snapshot: in the test cases)"}`);
    if (!surface || surface.resourceOwners.has(uri)) return [make("resource", uri, backend, uri)];
    const template = surface.templateOwners.find((t) => t.backend === backend && t.matcher.test(uri))?.uriTemplate;
    return template === undefined ? [make("resource", uri, backend, uri)] : [make("resource", uri, backend, uri, template), make("resourceTemplate", template, backend, template)];
  }
  const name = request.name;
  if (name === undefined) throw new UsageError(`a ${request.method} request needs "name"`);
  // A listing knows the exact original; a name it lacks is named as the config would name it.
  const route = surface ? (kind === "tool" ? surface.toolRoutes : surface.promptRoutes).get(name) : undefined;
  if (route) return [make(kind, name, route.backend, route.original)];
  const [backend, original] = fromConfig(ws, kind, name);
  return [make(kind, name, backend, original)];
}

/** Without a listing: a route that renames to this name, else the backend whose namespace prefixes it. */
function fromConfig(ws: PolicyWorkspace, kind: ItemKind, name: string): [string, string] {
  for (const route of ws.config.routes) if (route.kind === kind && route.rename === name) return [route.backend, route.name];
  const { backends } = ws.pipeline;
  const claiming = backendsClaiming(name, backends);
  // The longest namespace is the most specific claim.
  const backend = claiming.sort((a, b) => backends.namespaces.get(b)!.length - backends.namespaces.get(a)!.length)[0];
  if (backend !== undefined) return [backend, name.slice(`${backends.namespaces.get(backend)}${backends.separator}`.length)];
  const only = onlyBackend(ws);
  if (only !== undefined) return [only, name];
  throw new UsageError(`cannot tell which backend serves ${JSON.stringify(name)}: no namespace prefixes it; give a surface snapshot`);
}

function onlyBackend(ws: PolicyWorkspace): string | undefined {
  const names = [...ws.pipeline.backends.namespaces.keys()];
  return names.length === 1 ? names[0] : undefined;
}

/** The call-time data for one item, with the request's time (or now) and its session labels. */
export function requestData(identity: Identity, request: RequestInput, it: PolicyItem): PolicyData {
  const method = DECIDED_AS[request.method]!;
  const named = it.kind === "tool" || it.kind === "prompt";
  const when = request.time === undefined ? new Date() : new Date(request.time);
  return {
    identity,
    request: named
      ? { method, ...(request.name === undefined ? {} : { name: request.name }), ...(request.arguments === undefined ? {} : { arguments: request.arguments }) }
      : { method, ...(request.uri === undefined ? {} : { uri: request.uri }) },
    target: { kind: it.kind, name: it.name, original: it.original, labels: it.labels },
    backend: { name: it.backend, labels: it.backendLabels },
    session: { id: "offline", binding: "offline", labelsSeen: request.labelsSeen ?? [] },
    time: { iso: when.toISOString(), epochMs: when.getTime(), hour: when.getUTCHours(), weekday: when.getUTCDay() },
  };
}

/** Decides a request as the authorize stage does: hidden when the list decision hides an item, else the call decision. */
export function decideOffline(ws: PolicyWorkspace, identity: Identity, request: RequestInput, surface: Surface | undefined): OfflineDecision {
  const items = itemsOf(ws, request, surface);
  const data = requestData(identity, request, items[0]!);
  const engine = ws.engine;
  if (!engine) return { decision: "allow", items, rules: [], data };
  const explained = engine.explain(data);
  if (!items.every((it) => engine.visible(listData(identity, it)))) {
    // Which rule hides it (a deny certain without arguments, session and time), or the default.
    const hiding = items.map((it) => compilePartialDecisions(ws.config.policies!)(requestData(identity, request, it), EVERYTHING_KNOWN)).find((d) => d.hidden);
    return { decision: "hidden", ...(hiding?.rule === undefined ? {} : { rule: hiding.rule }), items, rules: explained.rules, data };
  }
  let decision = explained.decision;
  for (let i = 1; i < items.length && decision.allowed; i++) {
    const other = engine.decide(requestData(identity, request, items[i]!));
    if (!other.allowed) decision = other;
  }
  return { decision: decision.allowed ? "allow" : "deny", rule: decision.rule, items, rules: explained.rules, data };
}
