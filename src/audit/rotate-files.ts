import { rename, rm } from "node:fs/promises";

/**
 * Shifts FILE.(keep-1) → FILE.keep … FILE.1 → FILE.2, then FILE → FILE.1, dropping the oldest.
 * Oldest first, so no rename overwrites a file that is still to be moved. A writer with FILE
 * open keeps writing to the renamed inode (now FILE.1) until it closes, so nothing in flight is lost.
 */
export async function rotateFiles(path: string, keep: number): Promise<void> {
  if (keep < 1) {
    await rm(path, { force: true });
    return;
  }
  await rm(`${path}.${keep}`, { force: true });
  for (let index = keep - 1; index >= 1; index--) await renameIfPresent(`${path}.${index}`, `${path}.${index + 1}`);
  await renameIfPresent(path, `${path}.1`);
}

async function renameIfPresent(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
}
