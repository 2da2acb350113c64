import { open } from 'node:fs/promises';

/**
 * Fsyncs a directory so that a file created or renamed in it survives a crash. Platforms that
 * cannot open a directory for syncing (Windows) are skipped: there the rename is the best
 * guarantee available.
 */
export async function syncDirectory(path: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(path, 'r');
    await handle.sync();
  } catch (error) {
    if (process.platform !== 'win32') throw error;
  } finally {
    await handle?.close();
  }
}
