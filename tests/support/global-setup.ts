import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');
const ENTRY = join(ROOT, 'dist', 'src', 'cli', 'main.js');

/**
 * Builds `dist/` once before the e2e tests, which spawn the real `bin/assay.js`. tsc still
 * emits when it finds type errors; they fail the run under CI and are only printed locally,
 * where other work in progress may not type-check yet.
 */
export default function setup(): void {
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    const report = `tsc -p tsconfig.build.json failed:\n${result.stdout}${result.stderr}`;
    if (process.env['CI'] === 'true') throw new Error(report);
    process.stderr.write(`warning: ${report}`);
  }
  if (!existsSync(ENTRY)) throw new Error(`the build did not produce ${ENTRY}`);
}
