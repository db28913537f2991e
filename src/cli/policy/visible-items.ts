import { listData, type PolicyItem } from "../../compile/authorize.js";
import type { Identity } from "../../core/context.js";
import type { Surface } from "../../core/surface.js";
import type { VisibleKind } from "./cases.js";
import type { PolicyWorkspace } from "./workspace.js";

/** One item of a surface as a caller sees it: its exposed name, owner and what a client is told about it. */
export interface SurfaceItem extends PolicyItem {
  readonly list: VisibleKind;
  readonly description?: string;
  /** A tool's input schema; a prompt's arguments. */
  readonly schema?: unknown;
}

/** Every item of a surface, in surface order, with the owner and labels a policy sees. */
export function surfaceItems(ws: PolicyWorkspace, surface: Surface): SurfaceItem[] {
  const out: SurfaceItem[] = [];
  const add = (list: VisibleKind, kind: PolicyItem["kind"], name: string, backend: string, original: string, entry: Record<string, unknown>, schema: unknown) =>
    out.push({
      list,
      kind,
      name,
      backend,
      original,
      labels: ws.labels.item(kind, backend, original),
      backendLabels: ws.labels.backend(backend),
      ...(typeof entry.description === "string" ? { description: entry.description } : {}),
      ...(schema === undefined ? {} : { schema }),
    });
  for (const tool of surface.tools) {
    const route = surface.toolRoutes.get(String(tool.name))!;
    add("tools", "tool", String(tool.name), route.backend, route.original, tool, tool.inputSchema);
  }
  for (const prompt of surface.prompts) {
    const route = surface.promptRoutes.get(String(prompt.name))!;
    add("prompts", "prompt", String(prompt.name), route.backend, route.original, prompt, prompt.arguments);
  }
  for (const resource of surface.resources) {
    const uri = String(resource.uri);
    add("resources", "resource", uri, surface.resourceOwners.get(uri)!, uri, resource, undefined);
  }
  surface.resourceTemplates.forEach((template, i) => {
    const uriTemplate = String(template.uriTemplate);
    add("resourceTemplates", "resourceTemplate", uriTemplate, surface.templateOwners[i]!.backend, uriTemplate, template, undefined);
  });
  return out;
}

/** The items a caller's list decision keeps (all of them for a config without policies, or without --as). */
export function visibleItems(ws: PolicyWorkspace, items: readonly SurfaceItem[], identity: Identity | undefined): SurfaceItem[] {
  const engine = ws.engine;
  if (!engine || identity === undefined) return [...items];
  return items.filter((it) => engine.visible(listData(identity, it)));
}
