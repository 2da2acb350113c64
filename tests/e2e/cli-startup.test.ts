import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'assay.js');
const HOOK = join(ROOT, 'tests', 'support', 'module-log.mjs');

/** The packages that cost most to load; `--help` has no use for any of them. */
const HEAVY = ['mathjs', 'dockerode', 'isolated-vm', 'node-llama-cpp', 'openai'];

let dir: string;
let runs = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'assay-startup-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs `node --import module-log.mjs ARGS` and returns its exit code and the modules it resolved. */
async function modulesLoaded(
  args: readonly string[],
): Promise<{ code: number | null; urls: string[] }> {
  const log = join(dir, `modules-${runs++}.log`);
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, ['--no-node-snapshot', '--import', HOOK, ...args], {
      cwd: ROOT,
      env: { ...process.env, ASSAY_MODULE_LOG: log, ASSAY_MODEL: '', ASSAY_BASE_URL: '' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    child.on('error', reject);
    child.on('close', resolve);
  });
  const text = await readFile(log, 'utf8').catch(() => '');
  return { code, urls: text.split('\n').filter(Boolean) };
}

function heavyPackages(urls: readonly string[]): string[] {
  const found = new Set<string>();
  for (const url of urls) {
    for (const name of HEAVY) if (url.includes(`/node_modules/${name}/`)) found.add(name);
  }
  return [...found].sort();
}

describe('CLI startup', () => {
  it('the module log sees a heavy package when a process does load one', async () => {
    const { urls } = await modulesLoaded(['--input-type=module', '-e', "await import('openai');"]);
    expect(heavyPackages(urls)).toEqual(['openai']);
  });

  const helps = [
    ['--help'],
    ['run', '--help'],
    ['eval', '--help'],
    ['eval', 'rescore', '--help'],
    ['traces', '--help'],
    ['traces', 'export', '--help'],
    ['policy', '--help'],
    ['sandbox', '--help'],
    ['doctor', '--help'],
    ['suites', '--help'],
  ];
  it.each(helps.map((args) => [args.join(' '), args] as const))(
    'assay %s loads none of mathjs, dockerode, isolated-vm, node-llama-cpp, openai',
    async (_name, args) => {
      const { code, urls } = await modulesLoaded([BIN, ...args]);
      expect(code).toBe(0);
      expect(urls.some((url) => url.endsWith('/dist/src/cli/main.js'))).toBe(true);
      expect(heavyPackages(urls)).toEqual([]);
    },
  );

  it('assay policy explain runs without loading the model, tool or sandbox packages', async () => {
    const { code, urls } = await modulesLoaded([
      BIN,
      'policy',
      'explain',
      join(ROOT, 'policies', 'default.yaml'),
      '--tool',
      'calculator',
      '--args',
      '{"expression":"1+1"}',
    ]);
    expect(code).toBe(0);
    expect(heavyPackages(urls)).toEqual([]);
  });
});
