import type { ClientScope, Target } from "./context.js";
import { ProxyError } from "./errors.js";
import { ownerOfUri, type Route, type Surface } from "./surface.js";
import { splitTaskId } from "./tasks.js";

/** What a request's params name, before it is resolved against a client's surface. */
export interface ItemRef {
  /** `completion` names a prompt (`ref/prompt`) or a template or resource (`ref/resource`). */
  readonly kind: "tool" | "prompt" | "resource" | "task" | "completion";
  readonly name: string;
  /** For completions: which kind of reference. */
  readonly refType?: string;
}

type Lookup = Pick<ClientScope, "surface" | "knownSurface" | "hasListing">;


/** The enabled backends of one compiled config: each one's namespace, and the naming separator. */
export interface BackendTable {
  readonly separator: string;
  /** Enabled backend → namespace, in config order. */
  readonly namespaces: ReadonlyMap<string, string>;
}

/**
 * Resolves what a request names to one Target, or throws the error the client gets: the
 * unknown-item error, or BACKEND_UNAVAILABLE naming the backend when the item belongs to a
 * backend that is down (or was never reached, going by its namespace). Pure: it reads the
 * surfaces it is given and nothing else.
 */
export function resolveTarget(scope: Lookup, backends: BackendTable, ref: ItemRef): Target {
  switch (ref.kind) {
    case "tool":
      return named("tool", ref.name, scope, backends, (s) => s.toolRoutes);
    case "prompt":
      return named("prompt", ref.name, scope, backends, (s) => s.promptRoutes);
    case "resource":
      return resource(ref.name, scope);
    case "completion": {
      if (ref.refType === "ref/prompt") return named("prompt", ref.name, scope, backends, (s) => s.promptRoutes);
      const template = scope.surface.templateOwners.find((t) => t.uriTemplate === ref.name);
      if (template) return { kind: "resourceTemplate", exposed: ref.name, backend: template.backend, original: ref.name };
      return resource(ref.name, scope);
    }
    case "task": {
      const split = splitTaskId(ref.name);
      if (!split || !backends.namespaces.has(split[0])) throw new ProxyError("UNKNOWN_TASK", `Unknown task: ${ref.name}`);
      return { kind: "task", exposed: ref.name, backend: split[0], original: split[1] };
    }
  }
}

function named(kind: "tool" | "prompt", name: string, scope: Lookup, backends: BackendTable, routes: (s: Surface) => ReadonlyMap<string, Route>): Target {
  const route = routes(scope.surface).get(name);
  if (route) return { kind, exposed: name, backend: route.backend, original: route.original };
  const down = routes(scope.knownSurface).get(name);
  if (down) throw new ProxyError("BACKEND_UNAVAILABLE", `backend "${down.backend}" that serves ${kind} "${name}" is unavailable; it is being restarted`, { backend: down.backend });
  // A backend this session never reached (start-up failed, session cap) has no listing, but
  // its namespace still says whose the name would be.
  const absent = absentBackendFor(name, scope, backends);
  if (absent) throw new ProxyError("BACKEND_UNAVAILABLE", `backend "${absent}" that would serve ${kind} "${name}" is unavailable`, { backend: absent });
  throw new ProxyError(kind === "tool" ? "UNKNOWN_TOOL" : "UNKNOWN_PROMPT", `Unknown ${kind}: ${name}`);
}

/** The enabled backend this client never reached whose namespace prefixes `name`, if any. */
function absentBackendFor(name: string, scope: Lookup, backends: BackendTable): string | undefined {
  return backendsClaiming(name, backends).find((backend) => !scope.hasListing(backend));
}

/** The enabled backends whose namespace prefixes an exposed name (several when one namespace prefixes another). */
export function backendsClaiming(name: string, backends: BackendTable): string[] {
  const claiming: string[] = [];
  for (const [backend, namespace] of backends.namespaces) if (name.startsWith(`${namespace}${backends.separator}`)) claiming.push(backend);
  return claiming;
}

function resource(uri: string, scope: Lookup): Target {
  const owner = ownerOfUri(scope.surface, uri) ?? ownerOfUri(scope.knownSurface, uri);
  if (!owner) throw new ProxyError("UNKNOWN_RESOURCE", `Resource not found: ${uri}`, { uri });
  return { kind: "resource", exposed: uri, backend: owner, original: uri };
}
