/**
 * Start-up cost of the built CLI (bin/assay.js → dist/), as wall time of whole processes beside
 * `node -e 0` measured in the same loop: `assay --help`, `assay run --help`, and one episode
 * `assay run --tools calculator "What is 2+2?"` with the bundled tiny model (no server, no
 * Docker). Runs alternate with the baseline so that load on the machine hits both alike.
 *
 *   npx tsx bench/startup.ts   (BENCH_RUNS=9 help runs, BENCH_EPISODE_RUNS=5; needs dist/)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reportFigures } from './figures.js';

const RUNS = Number(process.env['BENCH_RUNS'] ?? 9);
const EPISODE_RUNS = Number(process.env['BENCH_EPISODE_RUNS'] ?? 5);
const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'assay.js');

if (!existsSync(join(ROOT, 'dist', 'src', 'cli', 'main.js'))) {
  throw new Error('bench/startup.ts spawns the built CLI: run `npm run build` first');
}

const dir = mkdtempSync(join(tmpdir(), 'assay-bench-startup-'));

/** Wall milliseconds of one process; throws with its stderr when it fails. */
function wall(args: readonly string[], expect?: RegExp): number {
  const started = performance.now();
  const result = spawnSync(process.execPath, args, {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, ASSAY_MODEL: '', ASSAY_BASE_URL: '' },
  });
  const ms = performance.now() - started;
  if (result.status !== 0) {
    throw new Error(`${args.join(' ')} exited with ${result.status}: ${result.stderr}`);
  }
  if (expect && !expect.test(result.stdout)) {
    throw new Error(`${args.join(' ')} printed ${JSON.stringify(result.stdout)}, not ${expect}`);
  }
  return ms;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

// The bin's shebang runs node with --no-node-snapshot; the baseline gets the same flag.
const node = ['--no-node-snapshot'];
const episode = [
  ...node,
  BIN,
  'run',
  '--tools',
  'calculator',
  '--trace',
  join(dir, 'trace.jsonl'),
  'What is 2+2?',
];

try {
  wall([...node, '-e', '0']);
  wall([...node, BIN, '--help']);
  const bare: number[] = [];
  const help: number[] = [];
  const runHelp: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    bare.push(wall([...node, '-e', '0']));
    help.push(wall([...node, BIN, '--help'], /Usage: assay/));
    runHelp.push(wall([...node, BIN, 'run', '--help'], /--tools/));
  }
  const episodeBare: number[] = [];
  const episodes: number[] = [];
  for (let i = 0; i < EPISODE_RUNS; i++) {
    episodeBare.push(wall([...node, '-e', '0']));
    episodes.push(wall(episode));
  }
  const base = median(bare);
  console.log(`median wall of ${RUNS} runs (episode: ${EPISODE_RUNS}), beside node -e 0`);
  console.log(`  node -e 0                          ${base.toFixed(0)} ms`);
  console.log(`  assay --help                       ${median(help).toFixed(0)} ms`);
  console.log(`  assay run --help                   ${median(runHelp).toFixed(0)} ms`);
  console.log(`  assay run --tools calculator …     ${median(episodes).toFixed(0)} ms`);
  const baseline = { baseline: base, baselineName: 'node -e 0' };
  reportFigures('startup', [
    {
      name: 'assay --help, median wall',
      value: median(help),
      unit: 'ms',
      ...baseline,
      target: { on: 'value', op: '<=', limit: 150 },
    },
    { name: 'assay run --help, median wall', value: median(runHelp), unit: 'ms', ...baseline },
    {
      name: 'assay run --tools calculator (bundled model), median wall',
      value: median(episodes),
      unit: 'ms',
      baseline: median(episodeBare),
      baselineName: 'node -e 0',
      target: { on: 'value', op: '<=', limit: 1500 },
    },
  ]);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
