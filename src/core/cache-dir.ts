import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * assay's cache folder, shared by everything it caches (the sandbox's root filesystem, the
 * local search index under `search/`): `$ASSAY_CACHE_DIR`, else `$XDG_CACHE_HOME/assay`,
 * else `~/.cache/assay`.
 */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env['ASSAY_CACHE_DIR']) return env['ASSAY_CACHE_DIR'];
  return join(env['XDG_CACHE_HOME'] || join(env['HOME'] || homedir(), '.cache'), 'assay');
}
