import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { syncDirectory } from './fs-sync.js';

/**
 * Writes a file so that readers see the old content or the new, never a part: the text goes
 * to a temporary file beside it, is fsynced, renamed over the target, and the folder synced.
 */
export async function writeFileAtomic(path: string, chunks: Iterable<string>): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  const handle = await open(tmp, 'w');
  let renamed = false;
  try {
    for (const chunk of chunks) await handle.write(chunk);
    await handle.sync();
    await handle.close();
    await rename(tmp, path);
    renamed = true;
    await syncDirectory(dirname(path));
  } finally {
    if (!renamed) {
      await handle.close().catch(() => {});
      await rm(tmp, { force: true });
    }
  }
}

/** Writes `value` as indented JSON and a newline, atomically, as `writeFileAtomic` does. */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, [`${JSON.stringify(value, null, 2)}\n`]);
}
