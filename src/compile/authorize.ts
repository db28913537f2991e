import type { ClientScope, Identity, Interceptor, RequestContext, Target } from "../core/context.js";
import { ProxyError } from "../core/errors.js";
import { METHODS, type ListKey, type MethodSpec } from "../core/methods.js";
import type { Surface } from "../core/surface.js";
import type { ItemKind, ListData, PolicyData, PolicyEngine } from "../policy/index.js";
import type { LabelTable } from "./labels.js";

/** The method whose decision decides whether an item of a kind is listed: listing follows calling. */
const CALL_METHOD: Readonly<Record<ItemKind, string>> = { tool: "tools/call", prompt: "prompts/get", resource: "resources/read", resourceTemplate: "resources/read" };

/** Methods decided by a full call decision (arguments, time, session); the others only need the item to be visible. */
export const DECIDED_AS: Readonly<Record<string, string>> = {
  "tools/call": "tools/call",
  "prompts/get": "prompts/get",
  "resources/read": "resources/read",
  // Subscribing is reading, over time: whoever may not read a resource may not follow it either.
  "resources/subscribe": "resources/read",
};

/** An item as a policy sees it. */
export interface PolicyItem {
  readonly kind: ItemKind;
  readonly name: string;
  readonly original: string;
  readonly backend: string;
  readonly labels: readonly string[];
  readonly backendLabels: readonly string[];
}

const EMPTY: readonly string[] = Object.freeze([]);
export const HIDDEN = Object.freeze({ allowed: false, hidden: true });

/**
 * The authorize stage: one decision function behind every list and every call. Lists are
 * filtered per caller by the three-valued list decision; a request for an item that decision
 * hides gets the unknown-item answer (policy does not reveal what exists); a visible item's
 * call is decided on its real arguments and refused with FORBIDDEN naming the rule.
 */
export function authorizeStage(engine: PolicyEngine, labels: LabelTable, readsTime: boolean, readsSession: boolean): { stage: Interceptor; isHidden: (ctx: RequestContext, target: Target) => boolean } {
  /** Filtered lists per surface list (a new array whenever the surface changes) and caller. */
  const listCache = new WeakMap<readonly unknown[], WeakMap<Identity, readonly Record<string, unknown>[]>>();

  const item = (kind: ItemKind, name: string, backend: string, original: string, templateOf?: string): PolicyItem => ({
    kind,
    name,
    original,
    backend,
    labels: labels.item(kind, backend, original, templateOf),
    backendLabels: labels.backend(backend),
  });

  const visible = (identity: Identity, it: PolicyItem): boolean => engine.visible(listData(identity, it));

  /** The items a target stands for: one, or two for a URI only a template produces (both must be visible). */
  const itemsOf = (scope: ClientScope, target: Target): PolicyItem[] | undefined => {
    switch (target.kind) {
      case "tool":
      case "prompt":
        return [item(target.kind, target.exposed, target.backend, target.original)];
      case "resourceTemplate":
        return [item("resourceTemplate", target.exposed, target.backend, target.original)];
      case "resource": {
        if (scope.surface.resourceOwners.has(target.exposed) || scope.knownSurface.resourceOwners.has(target.exposed)) {
          return [item("resource", target.exposed, target.backend, target.original)];
        }
        const template = templateFor(scope.surface, target) ?? templateFor(scope.knownSurface, target);
        const resource = item("resource", target.exposed, target.backend, target.original, template);
        return template === undefined ? [resource] : [resource, item("resourceTemplate", template, target.backend, template)];
      }
      case "task": {
        // A task is decided as the call that created it; one this session did not create is unknown to it.
        const origin = scope.taskOrigins.get(target.exposed);
        return origin ? itemsOf(scope, origin) : undefined;
      }
    }
  };

  const isHidden = (ctx: RequestContext, target: Target): boolean => {
    const identity = ctx.identity!;
    const items = itemsOf(ctx.scope, target);
    return items === undefined || !items.every((it) => visible(identity, it));
  };

  const filterList = (ctx: RequestContext, key: ListKey, items: readonly Record<string, unknown>[]): readonly Record<string, unknown>[] => {
    const identity = ctx.identity!;
    let byCaller = listCache.get(items);
    if (!byCaller) listCache.set(items, (byCaller = new WeakMap()));
    const cached = byCaller.get(identity);
    if (cached) return cached;
    const surface = ctx.scope.surface;
    const filtered = items.filter((entry) => {
      const it = listedItem(surface, key, entry, item);
      return it !== undefined && visible(identity, it);
    });
    // Shared by every request of this caller until the surface changes: nobody may change it.
    Object.freeze(filtered);
    byCaller.set(identity, filtered);
    return filtered;
  };

  const stage: Interceptor = async (ctx, next) => {
    const spec: MethodSpec = METHODS[ctx.method];
    if (spec.list) {
      const result = await next();
      const items = result[spec.list];
      return Array.isArray(items) ? { ...result, [spec.list]: filterList(ctx, spec.list, items) } : result;
    }
    const target = ctx.target;
    if (!target) return next();
    if (isHidden(ctx, target)) {
      ctx.decision = HIDDEN;
      throw unknownItem(ctx, target);
    }
    const decidedAs = DECIDED_AS[ctx.method];
    if (decidedAs === undefined) {
      ctx.decision = { allowed: true };
      return next();
    }
    const items = itemsOf(ctx.scope, target)!;
    // A URI only a template produces is decided as both: a rule on the template (its kind, its
    // name) that refuses at call time refuses the read, as its list decision hides it.
    let decision = engine.decide(callData(ctx, decidedAs, items[0]!, readsTime, readsSession));
    for (let i = 1; i < items.length && decision.allowed; i++) {
      const other = engine.decide(callData(ctx, decidedAs, items[i]!, readsTime, readsSession));
      if (!other.allowed) decision = other;
    }
    ctx.decision = decision;
    if (engine.hasShadow) {
      const effects = engine.shadow(callData(ctx, decidedAs, items[0]!, true, true), decision);
      if (effects.length > 0) ctx.shadow = effects;
    }
    if (!decision.allowed) {
      throw new ProxyError("FORBIDDEN", `Forbidden: ${describeRequest(ctx.method, target)} is refused by policy ${decision.rule === "default" ? "default (no rule allows it)" : `rule "${decision.rule}"`}`, { policy: decision.rule });
    }
    // Allowed is enough: a read that then fails may still have shown data, and a parallel call
    // must already see the label.
    for (const it of items) {
      for (const label of it.labels) ctx.scope.labelsSeen.add(label);
      for (const label of it.backendLabels) ctx.scope.labelsSeen.add(label);
    }
    return next();
  };
  return { stage, isHidden };
}

/**
 * What the list decision sees for one item and caller: the item's call method, its name or URI,
 * nothing of arguments, session or time. Shared with the policy commands (explain, test, surface).
 */
export function listData(identity: Identity, it: PolicyItem): ListData {
  return {
    identity,
    request: it.kind === "tool" || it.kind === "prompt" ? { method: CALL_METHOD[it.kind], name: it.name } : { method: CALL_METHOD[it.kind], uri: it.name },
    target: { kind: it.kind, name: it.name, original: it.original, labels: it.labels },
    backend: { name: it.backend, labels: it.backendLabels },
  };
}

function callData(ctx: RequestContext, method: string, it: PolicyItem, readsTime: boolean, readsSession: boolean): PolicyData {
  const params = ctx.params;
  const args = params.arguments;
  // Only the fields the method defines, as the list decision has them: a tool or prompt has a
  // name and arguments, a resource a URI. A `uri` a client adds to tools/call, or `arguments`
  // to resources/read, is not what the request names and must not be what a rule reads.
  const named = it.kind === "tool" || it.kind === "prompt";
  return {
    identity: ctx.identity!,
    request: named
      ? {
          method,
          ...(typeof params.name === "string" ? { name: params.name } : {}),
          ...(args !== null && typeof args === "object" && !Array.isArray(args) ? { arguments: args as Record<string, unknown> } : {}),
        }
      : { method, ...(typeof params.uri === "string" ? { uri: params.uri } : {}) },
    target: { kind: it.kind, name: it.name, original: it.original, labels: it.labels },
    backend: { name: it.backend, labels: it.backendLabels },
    session: readsSession ? { id: ctx.scope.sessionId, binding: ctx.info.binding, labelsSeen: [...ctx.scope.labelsSeen] } : NO_SESSION,
    time: readsTime ? timeNow() : NO_TIME,
  };
}

/** Placeholders for data no rule reads, so building a decision's input stays cheap. */
const NO_SESSION = Object.freeze({ id: "", binding: "", labelsSeen: EMPTY });
const NO_TIME = Object.freeze({ iso: "", epochMs: 0, hour: 0, weekday: 0 });

function timeNow(): PolicyData["time"] {
  const now = new Date();
  return { iso: now.toISOString(), epochMs: now.getTime(), hour: now.getUTCHours(), weekday: now.getUTCDay() };
}

function templateFor(surface: Surface, target: Target): string | undefined {
  return surface.templateOwners.find((t) => t.backend === target.backend && t.matcher.test(target.exposed))?.uriTemplate;
}

function listedItem(
  surface: Surface,
  key: ListKey,
  entry: Record<string, unknown>,
  item: (kind: ItemKind, name: string, backend: string, original: string) => PolicyItem,
): PolicyItem | undefined {
  switch (key) {
    case "tools":
    case "prompts": {
      const name = entry.name as string;
      const route = (key === "tools" ? surface.toolRoutes : surface.promptRoutes).get(name);
      return route && item(key === "tools" ? "tool" : "prompt", name, route.backend, route.original);
    }
    case "resources": {
      const uri = entry.uri as string;
      const backend = surface.resourceOwners.get(uri);
      return backend === undefined ? undefined : item("resource", uri, backend, uri);
    }
    case "resourceTemplates": {
      const template = entry.uriTemplate as string;
      const owner = surface.templateOwners.find((t) => t.uriTemplate === template);
      return owner && item("resourceTemplate", template, owner.backend, template);
    }
  }
}

/** Exactly what a request for an item that does not exist gets. */
export function unknownItem(ctx: RequestContext, target: Pick<Target, "kind" | "exposed">): ProxyError {
  const ref = ctx.params.ref as { type?: unknown } | undefined;
  if (ctx.method === "completion/complete" && ref?.type === "ref/prompt") return new ProxyError("UNKNOWN_PROMPT", `Unknown prompt: ${target.exposed}`);
  switch (target.kind) {
    case "tool":
      return new ProxyError("UNKNOWN_TOOL", `Unknown tool: ${target.exposed}`);
    case "prompt":
      return new ProxyError("UNKNOWN_PROMPT", `Unknown prompt: ${target.exposed}`);
    case "task":
      return new ProxyError("UNKNOWN_TASK", `Unknown task: ${target.exposed}`);
    default:
      return new ProxyError("UNKNOWN_RESOURCE", `Resource not found: ${target.exposed}`, { uri: target.exposed });
  }
}

function describeRequest(method: string, target: Target): string {
  const what = method === "resources/subscribe" ? "subscribing to" : method.split("/")[0]!.replace(/s$/, "");
  return `${what} "${target.exposed}"`;
}
