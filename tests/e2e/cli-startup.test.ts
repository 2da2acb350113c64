import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLoggingModules } from '../support/module-log.js';
import { calculatorScript, startScriptedServer } from '../support/scripted-server.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'assay.js');

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

/** `runLoggingModules` with a new log file: exit code, stdout and the modules loaded. */
async function modulesLoaded(
  args: readonly string[],
): Promise<{ code: number | null; stdout: string; urls: string[] }> {
  return runLoggingModules(args, join(dir, `modules-${runs++}.log`));
}

function packagesLoaded(urls: readonly string[], names: readonly string[]): string[] {
  return names.filter((name) => urls.some((url) => url.includes(`/node_modules/${name}/`)));
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

  it('the module log sees what CommonJS code requires', async () => {
    // The ES resolve hook sees only the first file of a CommonJS package; its requires are
    // recorded by the require hook.
    const { code, urls } = await modulesLoaded(['-e', "require('commander')"]);
    expect(code).toBe(0);
    const files = urls.filter((url) => url.includes('/node_modules/commander/'));
    expect(files.some((url) => url.endsWith('/commander/index.js'))).toBe(true);
    expect(files.some((url) => url.endsWith('/commander/lib/command.js'))).toBe(true);
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

  // The top-level help is printed from the summary table (src/cli/top-help.ts): the bin, main,
  // errors, top-help and the table.
  const topHelps: [string, string[]][] = [
    ['--help', ['--help']],
    ['-h', ['-h']],
    ['(no arguments)', []],
  ];
  it.each(topHelps)(
    'assay %s loads at most 6 project modules and no package: no commander, zod or command file',
    async (_name, words) => {
      const { code, stdout, urls } = await modulesLoaded([BIN, ...words]);
      expect(code).toBe(0);
      if (words.length > 0) expect(stdout).toMatch(/run \[options\] <prompt> +run one episode/);
      const project = urls.filter(
        (url) => url.startsWith('file:') && !url.includes('/node_modules/'),
      );
      expect(project.length).toBeLessThanOrEqual(6);
      expect(project.filter((url) => url.endsWith('-command.js'))).toEqual([]);
      expect(urls.filter((url) => url.includes('/node_modules/'))).toEqual([]);
    },
  );

  // A command's flags are declared in its *-command.ts; the code that runs it (its *-action.ts,
  // zod schemas, loaders) loads only when it runs. Today 6 to 14 modules: bin, main, commands,
  // the command file, the flag helpers and the few core modules they read.
  const commandHelps = [
    ['run', '--help'],
    ['eval', '--help'],
    ['eval', 'rescore', '--help'],
    ['traces', 'validate', '--help'],
    ['traces', 'export', '--help'],
    ['suites', 'import', '--help'],
    ['sandbox', 'build', '--help'],
    ['policy', 'explain', '--help'],
    ['doctor', '--help'],
    ['mcp', 'serve', '--help'],
    ['worker', '--help'],
  ];
  it.each(commandHelps.map((args) => [args.join(' '), args] as const))(
    'assay %s loads at most 16 project modules, no zod and no action file',
    async (_name, words) => {
      const { code, stdout, urls } = await modulesLoaded([BIN, ...words]);
      expect(code).toBe(0);
      expect(stdout).toMatch(/Usage: assay /);
      // The log has a line per import; a module imported by several counts once.
      const project = [
        ...new Set(
          urls.filter((url) => url.startsWith('file:') && !url.includes('/node_modules/')),
        ),
      ];
      expect(project.length).toBeLessThanOrEqual(16);
      expect(project.filter((url) => url.endsWith('-action.js'))).toEqual([]);
      expect(packagesLoaded(urls, ['zod'])).toEqual([]);
    },
  );

  it('assay run --tools calculator against a server loads no Docker, llama.cpp or HTML package', async () => {
    await using server = await startScriptedServer({ script: calculatorScript() });
    const { code, stdout, urls } = await modulesLoaded([
      BIN,
      'run',
      '--base-url',
      server.url,
      '--model',
      'qwen3:8b',
      '--tools',
      'calculator',
      '--trace',
      join(dir, 'run.jsonl'),
      'What is 123456789 * 987654321?',
    ]);
    expect(stdout).toBe('121932631112635269\n');
    expect(code).toBe(0);
    // What it runs is loaded; what it does not run is not.
    expect(packagesLoaded(urls, ['mathjs', 'openai'])).toEqual(['mathjs', 'openai']);
    const unused = [
      'dockerode',
      'isolated-vm',
      'node-llama-cpp',
      'linkedom',
      'turndown',
      '@mozilla/readability',
    ];
    expect(packagesLoaded(urls, unused)).toEqual([]);
    // Nor the code of the tools it did not name (the list of search back ends is a flag's choices).
    const toolCode = urls.filter((url) => !url.endsWith('/dist/tools/web-search/backend-names.js'));
    const otherTools = ['python', 'javascript', 'web-search', 'web-fetch'].filter((tool) =>
      toolCode.some((url) => url.includes(`/dist/tools/${tool}/`)),
    );
    expect(otherTools).toEqual([]);
  });

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
