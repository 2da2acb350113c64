import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');

/** The `--import` hook that logs every module a process loads (module-log.mjs). */
export const MODULE_LOG_HOOK = join(ROOT, 'tests', 'support', 'module-log.mjs');

export interface LoggedRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The modules loaded, ES modules and CommonJS requires alike, in the order they were. */
  urls: string[];
}

/**
 * Runs `node --import module-log.mjs ARGS` (plain `node`, as the bin's shebang does, with no
 * model configured and no NODE_OPTIONS unless `env` sets them) in the repository root, logging
 * to `log`: its exit code, output and the modules it and any process it reran loaded.
 */
export async function runLoggingModules(
  args: readonly string[],
  log: string,
  env: NodeJS.ProcessEnv = {},
): Promise<LoggedRun> {
  let stdout = '';
  let stderr = '';
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', MODULE_LOG_HOOK, ...args], {
      cwd: ROOT,
      env: {
        ...process.env,
        ASSAY_MODEL: '',
        ASSAY_BASE_URL: '',
        NODE_OPTIONS: '',
        ...env,
        ASSAY_MODULE_LOG: log,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.setEncoding('utf8').on('data', (data: string) => {
      stdout += data;
    });
    child.stderr.setEncoding('utf8').on('data', (data: string) => {
      stderr += data;
    });
    child.on('error', reject);
    child.on('close', resolve);
  });
  const text = await readFile(log, 'utf8').catch(() => '');
  return { code, stdout, stderr, urls: text.split('\n').filter(Boolean) };
}
