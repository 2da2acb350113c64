/**
 * Start-up cost of the built CLI (bin/assay.js → dist/), as whole processes beside `node -e 0`
 * measured in the same loop: `assay --help`, `assay <command> --help` for every command, and
 * one episode `assay run --tools calculator "What is 2+2?"` with the bundled tiny model (no
 * server, no Docker). Each row is the median of its runs, in wall time and in CPU time (user +
 * system of the process and its children, from /usr/bin/time when the machine has it: the
 * episode's llama.cpp binding test runs in a child process). Runs alternate with the baseline
 * so that load on the machine hits both alike.
 *
 *   npx tsx bench/startup.ts   (BENCH_RUNS=9 help runs, BENCH_EPISODE_RUNS=5; needs dist/)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Figure, reportFigures } from './figures.js';

const RUNS = Number(process.env['BENCH_RUNS'] ?? 9);
const EPISODE_RUNS = Number(process.env['BENCH_EPISODE_RUNS'] ?? 5);
const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'assay.js');
const TIME = '/usr/bin/time';
const HAS_TIME = existsSync(TIME);

if (!existsSync(join(ROOT, 'dist', 'src', 'cli', 'main.js'))) {
  throw new Error('bench/startup.ts spawns the built CLI: run `npm run build` first');
}

const dir = mkdtempSync(join(tmpdir(), 'assay-bench-startup-'));
const timeFile = join(dir, 'time.txt');

interface Cost {
  wallMs: number;
  /** User + system CPU of the process and its children; NaN without /usr/bin/time. */
  cpuMs: number;
}

/** Wall and CPU milliseconds of one process; throws with its stderr when it fails. */
function measure(args: readonly string[], expect?: RegExp): Cost {
  const [command, argv] = HAS_TIME
    ? [TIME, ['-f', '%U %S', '-o', timeFile, process.execPath, ...args]]
    : [process.execPath, [...args]];
  const started = performance.now();
  const result = spawnSync(command, argv, {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, ASSAY_MODEL: '', ASSAY_BASE_URL: '' },
  });
  const wallMs = performance.now() - started;
  if (result.status !== 0) {
    throw new Error(`${args.join(' ')} exited with ${result.status}: ${result.stderr}`);
  }
  if (expect && !expect.test(result.stdout)) {
    throw new Error(`${args.join(' ')} printed ${JSON.stringify(result.stdout)}, not ${expect}`);
  }
  if (!HAS_TIME) return { wallMs, cpuMs: Number.NaN };
  const [user, system] = readFileSync(timeFile, 'utf8').trim().split(/\s+/).map(Number);
  return { wallMs, cpuMs: ((user ?? Number.NaN) + (system ?? Number.NaN)) * 1000 };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

interface Row {
  label: string;
  args: readonly string[];
  expect: RegExp;
  costs: Cost[];
  bare: Cost[];
}

// The bin's shebang runs plain node (with its start-up snapshot); the baseline is the same node.
// Commands that make isolates run again in node --no-node-snapshot; these rows make none.
const node: string[] = [];
const bareArgs = [...node, '-e', '0'];
const helpRow = (words: readonly string[]): Row => ({
  label: `assay ${words.join(' ')}`,
  args: [...node, BIN, ...words],
  expect: /Usage: assay/,
  costs: [],
  bare: [],
});
const helps: Row[] = [
  helpRow(['--help']),
  ...[
    ['run'],
    ['eval'],
    ['eval', 'rescore'],
    ['traces', 'validate'],
    ['traces', 'export'],
    ['suites', 'import'],
    ['sandbox', 'build'],
    ['policy', 'explain'],
    ['doctor'],
    ['mcp', 'serve'],
    ['worker'],
  ].map((words) => helpRow([...words, '--help'])),
];
const episode: Row = {
  label: 'assay run --tools calculator (bundled model)',
  args: [
    ...node,
    BIN,
    'run',
    '--tools',
    'calculator',
    '--trace',
    join(dir, 't.jsonl'),
    'What is 2+2?',
  ],
  expect: /\S/,
  costs: [],
  bare: [],
};

function row(label: string, value: string): string {
  return `  ${label.padEnd(46)} ${value}`;
}

try {
  measure(bareArgs);
  measure(helps[0]!.args);
  for (let i = 0; i < RUNS; i++) {
    for (const help of helps) {
      help.bare.push(measure(bareArgs));
      help.costs.push(measure(help.args, help.expect));
    }
  }
  for (let i = 0; i < EPISODE_RUNS; i++) {
    episode.bare.push(measure(bareArgs));
    episode.costs.push(measure(episode.args, episode.expect));
  }
  const all = [...helps, episode];
  const bareWall = median(all.flatMap((r) => r.bare.map((c) => c.wallMs)));
  const bareCpu = median(all.flatMap((r) => r.bare.map((c) => c.cpuMs)));
  console.log(
    `median of ${RUNS} runs (episode: ${EPISODE_RUNS}), beside node -e 0; CPU is user + system${HAS_TIME ? '' : ' (no /usr/bin/time: not measured)'}`,
  );
  console.log(row('', 'wall ms   cpu ms   wall ×   cpu ×'));
  const fmt = (r: { label: string; wall: number; cpu: number; bw: number; bc: number }) =>
    row(
      r.label,
      `${r.wall.toFixed(0).padStart(7)}  ${r.cpu.toFixed(0).padStart(7)}  ${(r.wall / r.bw).toFixed(2).padStart(6)}  ${(r.cpu / r.bc).toFixed(2).padStart(6)}`,
    );
  console.log(fmt({ label: 'node -e 0', wall: bareWall, cpu: bareCpu, bw: bareWall, bc: bareCpu }));
  const figures: Figure[] = [];
  for (const r of all) {
    const wall = median(r.costs.map((c) => c.wallMs));
    const cpu = median(r.costs.map((c) => c.cpuMs));
    const bw = median(r.bare.map((c) => c.wallMs));
    const bc = median(r.bare.map((c) => c.cpuMs));
    console.log(fmt({ label: r.label, wall, cpu, bw, bc }));
    const limit = r === episode ? 1500 : 150;
    figures.push({
      name: `${r.label}, median wall`,
      value: wall,
      unit: 'ms',
      baseline: bw,
      baselineName: 'node -e 0',
      target: { on: 'value', op: '<=', limit },
    });
    if (HAS_TIME) {
      figures.push({
        name: `${r.label}, median CPU`,
        value: cpu,
        unit: 'ms',
        baseline: bc,
        baselineName: 'node -e 0',
      });
    }
  }
  reportFigures('startup', figures);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
