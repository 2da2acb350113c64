/**
 * `npm run bench`: builds dist/ (the startup bench spawns the built CLI), runs every bench in
 * bench/ in its own process with sample counts sized for a few minutes on two cores, and ends
 * with one table of every figure: value, baseline, ratio, target and whether it was met.
 *
 *   npm run bench                      every bench
 *   npm run bench -- loop startup      only those
 *
 * Each bench prints its own detail as it runs. Benches that need the Docker engine and the
 * sandbox image say so in the table when either is missing, instead of failing the run.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkPythonSandbox } from '../src/cli/python-availability.js';
import { type NotRun, renderFigureTable, tally } from './figure-table.js';
import { FIGURES_ENV, type FigureLine } from './figures.js';

const ROOT = join(import.meta.dirname, '..');

interface Bench {
  name: string;
  /** Smaller sample counts than each bench's own defaults: the whole run stays a few minutes. */
  env?: Record<string, string>;
  /** `all`: cannot run without the python sandbox; `partly`: runs with less (see `withoutDocker`). */
  docker?: 'all' | 'partly';
  withoutDocker?: Record<string, string>;
  timeoutMs: number;
}

const BENCHES: readonly Bench[] = [
  { name: 'startup', env: { BENCH_RUNS: '7', BENCH_EPISODE_RUNS: '3' }, timeoutMs: 420_000 },
  { name: 'loop', env: { BENCH_EPISODES: '200' }, timeoutMs: 120_000 },
  { name: 'model-provider', env: { BENCH_STEPS: '100' }, timeoutMs: 120_000 },
  { name: 'long-answer', timeoutMs: 600_000 },
  { name: 'eval-runner', env: { BENCH_TASKS: '250' }, timeoutMs: 120_000 },
  { name: 'queue', env: { BENCH_TASKS: '96' }, timeoutMs: 180_000 },
  { name: 'strategies', env: { BENCH_ROUNDS: '9', BENCH_TASKS: '100' }, timeoutMs: 120_000 },
  { name: 'calculator', timeoutMs: 60_000 },
  { name: 'policy', env: { BENCH_ROUNDS: '20000' }, timeoutMs: 60_000 },
  { name: 'trace-write', timeoutMs: 120_000 },
  { name: 'javascript', env: { BENCH_CALLS: '1000', BENCH_NEW: '50' }, timeoutMs: 60_000 },
  { name: 'search', env: { BENCH_DOCS: '5000', BENCH_QUERIES: '200' }, timeoutMs: 120_000 },
  { name: 'fetch', env: { BENCH_REQUESTS: '300' }, timeoutMs: 120_000 },
  {
    name: 'tiny-model',
    env: { BENCH_TASKS: '10' },
    docker: 'partly',
    withoutDocker: { BENCH_KINDS: 'arithmetic,facts' },
    timeoutMs: 240_000,
  },
  { name: 'sandbox', docker: 'all', timeoutMs: 240_000 },
];

function build(): void {
  process.stdout.write('building dist/ (tsc -p tsconfig.build.json) …\n');
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  if (result.status !== 0) throw new Error('tsc -p tsconfig.build.json failed; see above');
}

/** Runs one bench file in its own Node process; resolves to why it failed, or null. */
function runBench(bench: Bench, env: NodeJS.ProcessEnv): Promise<string | null> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--no-node-snapshot', '--import', 'tsx', join(ROOT, 'bench', `${bench.name}.ts`)],
      { cwd: ROOT, env, stdio: 'inherit' },
    );
    const timer = setTimeout(() => child.kill('SIGKILL'), bench.timeoutMs);
    child.on('error', (error) => resolve(error.message));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL') resolve(`took longer than ${bench.timeoutMs / 1000} s`);
      else if (code !== 0) resolve(`exited with ${code ?? signal}`);
      else resolve(null);
    });
  });
}

const only = process.argv.slice(2);
const unknown = only.filter((name) => !BENCHES.some((b) => b.name === name));
if (unknown.length > 0) {
  const names = BENCHES.map((b) => b.name).join(', ');
  process.stderr.write(
    `bench/run-all: unknown bench ${unknown.join(', ')}; the benches are ${names}\n`,
  );
  process.exit(2);
}
const selected = only.length === 0 ? BENCHES : BENCHES.filter((b) => only.includes(b.name));

build();
const sandbox = selected.some((b) => b.docker)
  ? await checkPythonSandbox()
  : ({ usable: true } as const);
const dir = await mkdtemp(join(tmpdir(), 'assay-bench-'));
const figuresFile = join(dir, 'figures.jsonl');
const notRun: NotRun[] = [];
const started = performance.now();

for (const bench of selected) {
  const env: NodeJS.ProcessEnv = { ...process.env, ...bench.env, [FIGURES_ENV]: figuresFile };
  if (bench.docker && !sandbox.usable) {
    const why = `needs the Docker engine and the sandbox image: ${sandbox.problem}; ${sandbox.fix}`;
    if (bench.docker === 'all') {
      process.stdout.write(`\n=== ${bench.name}: skipped, ${why}\n`);
      notRun.push({ bench: bench.name, reason: 'no Docker engine or sandbox image' });
      continue;
    }
    process.stdout.write(`\n=== ${bench.name}: python parts skipped, ${why}\n`);
    Object.assign(env, bench.withoutDocker);
  } else {
    process.stdout.write(`\n=== ${bench.name}\n`);
  }
  const failure = await runBench(bench, env);
  if (failure !== null) notRun.push({ bench: bench.name, reason: failure });
}

const text = await readFile(figuresFile, 'utf8').catch(() => '');
const figures = text
  .split('\n')
  .filter(Boolean)
  .map((line) => JSON.parse(line) as FigureLine);
await rm(dir, { recursive: true, force: true });
for (const bench of selected) {
  const reported = figures.some((f) => f.bench === bench.name);
  const failed = notRun.some((n) => n.bench === bench.name);
  if (!reported && !failed) notRun.push({ bench: bench.name, reason: 'reported no figures' });
}

const minutes = (performance.now() - started) / 60_000;
const { targets, met } = tally(figures);
process.stdout.write(
  `\n${renderFigureTable(figures, notRun)}\n\n${figures.length} figures from ${selected.length - notRun.length} of ${selected.length} benches in ${minutes.toFixed(1)} min; ${met} of ${targets} targets met\n`,
);
