import { relative, resolve } from "node:path";
import type { Identity } from "../../core/context.js";
import { type CommandIo, EXIT, type ExitCode, UsageError } from "../io.js";
import { readJsonOption, toIdentity } from "../policy/inputs.js";
import { obtainListings } from "../policy/listings.js";
import { writeSnapshot } from "../policy/snapshot.js";
import { diffSurfaces } from "../policy/surface-diff.js";
import { surfaceOf } from "../policy/surface-of.js";
import { itemJson, renderDiff, renderSurface } from "../policy/surface-render.js";
import { surfaceItems, visibleItems } from "../policy/visible-items.js";
import { openWorkspace, type PolicyWorkspace } from "../policy/workspace.js";

export interface SurfaceOptions {
  readonly configPath: string | undefined;
  readonly as: string | undefined;
  readonly snapshot: string | undefined;
  readonly live: boolean;
  readonly writeSnapshot: string | undefined;
  readonly diff: string | undefined;
  readonly format: "text" | "json";
}

/**
 * What a caller sees through the gateway (tools, prompts, resources, templates, each with its
 * backend and original name), recorded listings for CI (`--write-snapshot`), and what a config
 * change does to each caller of the test cases (`--diff`).
 */
export async function surfaceCommand(options: SurfaceOptions, io: CommandIo): Promise<ExitCode> {
  if (options.writeSnapshot !== undefined && options.diff !== undefined) throw new UsageError("--write-snapshot and --diff are separate runs");
  const ws = await openWorkspace(options.configPath, io);
  const other = options.diff === undefined ? undefined : await openWorkspace(resolve(io.cwd, options.diff), io);
  const identity = options.as === undefined ? undefined : identityOption(options.as, ws, io.cwd);
  const { listings, from } = await obtainListings(ws, { snapshot: options.snapshot, live: options.live }, io, other ? [other] : []);
  const name = (file: string) => relative(io.cwd, file) || file;

  if (options.writeSnapshot !== undefined) {
    const file = resolve(io.cwd, options.writeSnapshot);
    writeSnapshot(file, listings);
    const tools = listings.reduce((n, l) => n + l.tools.length, 0);
    io.out(`${name(file)}: ${listings.length} backends, ${tools} tools recorded (${from === "live" ? "live" : name(from.slice("snapshot ".length))})\n`);
    return EXIT.ok;
  }

  if (other !== undefined) {
    const callers: Array<[string, Identity | undefined]> = identity !== undefined ? [[options.as!, identity]] : [...(ws.cases?.identities ?? [])];
    // Without named callers the diff is of the unfiltered surface: what the gateway exposes at all.
    if (callers.length === 0) callers.push(["(unfiltered)", undefined]);
    const before = surfaceItems(ws, surfaceOf(ws, listings));
    const after = surfaceItems(other, surfaceOf(other, listings));
    const diffs = callers.map(([who, id]) => ({ identity: who, ...diffSurfaces(visibleItems(ws, before, id), visibleItems(other, after, id)) }));
    if (options.format === "json") {
      const doc = {
        from: ws.file,
        to: other.file,
        listings: from,
        identities: diffs.map((d) => ({ identity: d.identity, added: d.added.map(itemJson), removed: d.removed.map(itemJson), changed: d.changed })),
      };
      io.out(`${JSON.stringify(doc, null, 2)}\n`);
      return EXIT.ok;
    }
    io.out(`surface diff ${name(ws.file)} → ${name(other.file)} (listings: ${from === "live" ? "live" : name(from.slice("snapshot ".length))})\n`);
    for (const d of diffs) io.out(renderDiff(d.identity, d));
    return EXIT.ok;
  }

  const items = visibleItems(ws, surfaceItems(ws, surfaceOf(ws, listings)), identity);
  if (options.format === "json") {
    const doc: Record<string, unknown> = { config: ws.file, ...(identity ? { as: identity } : {}), listings: from };
    for (const list of ["tools", "prompts", "resources", "resourceTemplates"] as const) doc[list] = items.filter((it) => it.list === list).map(itemJson);
    io.out(`${JSON.stringify(doc, null, 2)}\n`);
    return EXIT.ok;
  }
  io.out(`surface of ${name(ws.file)} ${identity ? `as ${identity.sub}` : "(unfiltered: no --as)"}, listings: ${from === "live" ? "live" : name(from.slice("snapshot ".length))}\n`);
  io.out(renderSurface(items));
  return EXIT.ok;
}

/** `--as`: a name from the test cases' identities, else JSON (inline or a file). */
function identityOption(value: string, ws: PolicyWorkspace, cwd: string): Identity {
  return ws.cases?.identities.get(value) ?? toIdentity(readJsonOption(value, "--as", cwd, `, or the name of an identity in the test cases (${[...(ws.cases?.identities.keys() ?? [])].join(", ") || "none"})`), "--as");
}
