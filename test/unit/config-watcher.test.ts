// The config watcher on a real file system: what editors and deploy tools do to a config file
// is seen, and what else happens in its folder (an audit log written beside it) is not.
import { appendFileSync, mkdirSync, mkdtempSync, renameSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ConfigWatcher } from "../../src/runtime/reload/config-watcher.js";
import { waitFor } from "../support/mcp-clients.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let watcher: ConfigWatcher | undefined;
afterEach(async () => watcher?.close());

async function watching(...names: string[]) {
  const dir = mkdtempSync(join(tmpdir(), "config-watcher-"));
  const files = names.map((n) => join(dir, n));
  for (const f of files) writeFileSync(f, "{}");
  const changes: string[] = [];
  watcher = new ConfigWatcher(20, (file) => changes.push(file), (e) => changes.push(`error ${e.message}`));
  await watcher.follow(files);
  return { dir, files, changes };
}

describe("ConfigWatcher", () => {
  it("sees an edit in place, a new file renamed over the config, and a delete then recreate", async () => {
    const { dir, files, changes } = await watching("mcp-proxy.config.json");
    const [config] = files as [string];
    // Each step must be seen at least once (one step may be seen as two bursts on a loaded machine).
    const seenAfter = async (step: () => void) => {
      const before = changes.length;
      step();
      return waitFor(() => changes.length > before && changes.at(-1) === config, 10_000);
    };
    expect(await seenAfter(() => writeFileSync(config, '{"a":1}'))).toBe(true);
    expect(
      await seenAfter(() => {
        writeFileSync(join(dir, "next.tmp"), '{"a":2}');
        renameSync(join(dir, "next.tmp"), config);
      }),
    ).toBe(true);
    // After the rename the path is a new inode: it must still be followed.
    expect(await seenAfter(() => writeFileSync(config, '{"a":3}'))).toBe(true);
    unlinkSync(config);
    await sleep(200);
    expect(await seenAfter(() => writeFileSync(config, '{"a":4}'))).toBe(true);
  });

  it("ignores other files in the config's folder, such as an audit log written on every request", async () => {
    const { dir, changes } = await watching("mcp-proxy.config.json");
    for (let i = 0; i < 50; i++) {
      appendFileSync(join(dir, "audit.jsonl"), `{"line":${i}}\n`);
      await sleep(2);
    }
    await sleep(300);
    expect(changes).toEqual([]);
  });

  it("follows a new set of files: a newly imported file is watched, one no longer imported is not", async () => {
    const { dir, files, changes } = await watching("mcp-proxy.config.ts", "policies.ts");
    const shared = join(dir, "shared.ts");
    writeFileSync(shared, "export {}");
    await watcher!.follow([files[0]!, shared]);
    writeFileSync(files[1]!, "// no longer imported");
    await sleep(300);
    expect(changes).toEqual([]);
    writeFileSync(shared, "export const x = 1");
    expect(await waitFor(() => changes.length === 1, 10_000)).toBe(true);
    expect(changes).toEqual([shared]);
  });

  it("sees a Kubernetes ConfigMap update: the ..data symlink swapped to a new folder, the old one left in place", async () => {
    const dir = mkdtempSync(join(tmpdir(), "config-watcher-"));
    mkdirSync(join(dir, "..v1"));
    writeFileSync(join(dir, "..v1", "mcp-proxy.config.json"), '{"v":1}');
    symlinkSync("..v1", join(dir, "..data"));
    const config = join(dir, "mcp-proxy.config.json");
    symlinkSync("..data/mcp-proxy.config.json", config);
    const changes: string[] = [];
    watcher = new ConfigWatcher(20, (file) => changes.push(file), () => undefined);
    await watcher.follow([config]);
    // The kubelet's update: a new folder, a new ..data link renamed over the old one. Nothing
    // happens to the file the old link led to, so no event may come for it.
    mkdirSync(join(dir, "..v2"));
    writeFileSync(join(dir, "..v2", "mcp-proxy.config.json"), '{"v":2}');
    symlinkSync("..v2", join(dir, "..data_tmp"));
    renameSync(join(dir, "..data_tmp"), join(dir, "..data"));
    expect(await waitFor(() => changes.length === 1, 5000)).toBe(true);
    expect(changes).toEqual([config]);
  });
});
