import type { InitializeInfo } from "../backends/upstream-session.js";

/**
 * What the proxy advertises: the union of what its backends offer. list_changed is always
 * on, because the merged surface changes whenever a backend comes or goes.
 */
export function mergeCapabilities(infos: ReadonlyArray<{ backend: string; info: InitializeInfo }>): Record<string, unknown> {
  const merged: Record<string, unknown> = {
    tools: { listChanged: true },
    prompts: { listChanged: true },
    resources: { listChanged: true },
    completions: {},
    logging: {},
  };
  let subscribe = false;
  for (const { info } of infos) {
    const caps = info.capabilities;
    if ((caps.resources as { subscribe?: boolean } | undefined)?.subscribe) subscribe = true;
    for (const [key, value] of Object.entries(caps)) {
      if (!(key in merged)) merged[key] = value; // tasks, experimental, extensions: first backend's form
    }
  }
  if (subscribe) merged.resources = { listChanged: true, subscribe: true };
  return merged;
}

/** Each backend's instructions under its name, so a model knows whose advice it reads. */
export function joinInstructions(infos: ReadonlyArray<{ backend: string; info: InitializeInfo }>): string | undefined {
  const parts = infos.filter((i) => i.info.instructions).map((i) => `## ${i.backend}\n${i.info.instructions}`);
  return parts.length ? parts.join("\n\n") : undefined;
}
