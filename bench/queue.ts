/**
 * The episode queue (`assay eval --queue`) against a real redis-server (scripts/ensure-redis.sh):
 * episodes whose model answers in 100 ms, run by one BullMQ worker and by two (each with the
 * same --concurrency, in this process), beside the same episodes run locally at that
 * concurrency. Prints throughput, the 2-vs-1 ratio, and the queue's added time per episode.
 *
 * The machine this runs on is shared, so one run of each is noise: local and one-worker runs
 * alternate BENCH_REPEAT times and the overhead is the median of the pairs' differences. CPU
 * time of the whole process (coordinator and in-process workers) is printed beside wall time.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openQueueCollector } from '../src/eval/run/queue-collector.js';
import { parseQueueUrl, probeQueue } from '../src/eval/run/queue-connection.js';
import { runQueueWorker } from '../src/eval/run/queue-worker.js';
import { type EvalRunOptions, runEval } from '../src/eval/run/runner.js';
import { loadSuite } from '../src/eval/suite.js';
import { allowListedPolicy } from '../src/policy/builtin.js';
import { createScriptedModel } from '../src/testing.js';
import { reportFigures } from './figures.js';

const TASKS = Number(process.env['BENCH_TASKS'] ?? 96);
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 8);
const DELAY_MS = 100;
const QUEUE = process.env['BENCH_QUEUE'] ?? 'redis://127.0.0.1:6390/9';
const REPEAT = Number(process.env['BENCH_REPEAT'] ?? 5);
await probeQueue(parseQueueUrl(QUEUE));

const dir = await mkdtemp(join(tmpdir(), 'assay-bench-queue-'));
const suitePath = join(dir, 'suite.jsonl');
const lines = Array.from({ length: TASKS }, (_, i) =>
  JSON.stringify({ id: `t${i}`, prompt: `What is ${i} + 1?`, answer: String(i + 1) }),
);
await writeFile(suitePath, `${lines.join('\n')}\n`);
const suite = await loadSuite(suitePath);
// Answers right after 100 ms, as a model server that takes 100 ms per call.
const model = createScriptedModel(async (request) => {
  await new Promise((r) => setTimeout(r, DELAY_MS));
  const prompt = String(request.messages.find((m) => m.role === 'user')?.content ?? '');
  const [a] = prompt.match(/\d+/) ?? ['0'];
  return { content: `The answer is ${Number(a) + 1}.` };
});
const policy = allowListedPolicy([]);
let runs = 0;

function base(name: string): EvalRunOptions {
  return {
    suite,
    arms: [{ name: 'no-tools', tools: [] }],
    samples: 1,
    concurrency: CONCURRENCY,
    seed: 0,
    model,
    sampling: {},
    policy,
    createTools: () => ({ tools: {}, close: async () => {} }),
    outDir: join(dir, `${name}-${runs++}`),
    resume: false,
  };
}

function check(accuracy: number | null | undefined): void {
  if (accuracy !== 1) throw new Error(`expected every episode correct, got ${accuracy}`);
}

interface Timing {
  s: number;
  /** Process CPU (user + system) per episode, ms. */
  cpuMs: number;
}

async function local(): Promise<Timing> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const summary = await runEval(base('local'));
  check(summary.results.arms['no-tools']?.accuracy);
  return timing(started, cpu);
}

function timing(started: number, cpu: NodeJS.CpuUsage): Timing {
  const used = process.cpuUsage(cpu);
  return {
    s: (performance.now() - started) / 1000,
    cpuMs: (used.user + used.system) / 1000 / TASKS,
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function queued(workers: number): Promise<Timing> {
  const runId = `bench-${process.pid}-${runs}`;
  const collector = await openQueueCollector({
    url: QUEUE,
    runId,
    model: model.info,
    policy,
    sampling: {},
  });
  const stop = new AbortController();
  const running = Array.from({ length: workers }, (_, i) =>
    runQueueWorker({
      url: QUEUE,
      concurrency: CONCURRENCY,
      name: `bench-${i}`,
      model,
      policy,
      createTools: () => ({ tools: {}, close: async () => {} }),
      settings: {},
      signal: stop.signal,
    }),
  );
  // Timed from when the workers listen: a worker's start-up is paid once, not per episode.
  await new Promise((r) => setTimeout(r, 1000));
  const started = performance.now();
  const cpu = process.cpuUsage();
  try {
    const summary = await runEval({
      ...base(`queue${workers}`),
      concurrency: 1_000_000,
      runId,
      execute: collector.execute,
      extraResults: collector.extraResults,
    });
    check(summary.results.arms['no-tools']?.accuracy);
    return timing(started, cpu);
  } finally {
    await collector.close(true);
    stop.abort();
    await Promise.all(running);
  }
}

await local(); // warm-up
await queued(1); // warm-up
const locals: Timing[] = [];
const ones: Timing[] = [];
for (let i = 0; i < REPEAT; i++) {
  locals.push(await local());
  ones.push(await queued(1));
}
const twos: number[] = [];
for (let i = 0; i < Math.min(REPEAT, 3); i++) twos.push((await queued(2)).s);
await rm(dir, { recursive: true, force: true });

const localS = median(locals.map((t) => t.s));
const oneS = median(ones.map((t) => t.s));
const twoMedianS = median(twos);
const rate = (s: number) => TASKS / s;
// Extra wall time per episode slot: each of CONCURRENCY slots runs TASKS/CONCURRENCY episodes.
const overheads = ones.map(
  (one, i) => ((one.s - (locals[i]?.s ?? NaN)) * 1000 * CONCURRENCY) / TASKS,
);
const overheadMs = median(overheads);
const cpuLocal = median(locals.map((t) => t.cpuMs));
const cpuQueue = median(ones.map((t) => t.cpuMs));
console.log(
  `episodes: ${TASKS}, model ${DELAY_MS} ms per call, concurrency ${CONCURRENCY}, ${REPEAT} pairs`,
);
console.log(`local            ${rate(localS).toFixed(1)} episodes/s`);
console.log(`queue, 1 worker  ${rate(oneS).toFixed(1)} episodes/s`);
console.log(
  `queue, 2 workers ${rate(twoMedianS).toFixed(1)} episodes/s  (target ≥ 1.9× one worker)`,
);
console.log(`2 vs 1 workers   ${(oneS / twoMedianS).toFixed(2)}x`);
console.log(
  `queue overhead   ${overheadMs.toFixed(1)} ms per episode (target ≤ 5 ms; pairs: ${overheads.map((o) => o.toFixed(1)).join(', ')})`,
);
console.log(
  `CPU per episode  local ${cpuLocal.toFixed(2)} ms, queue ${cpuQueue.toFixed(2)} ms (coordinator and worker in one process)`,
);
reportFigures('queue', [
  {
    name: 'queued episodes with 2 workers',
    value: rate(twoMedianS),
    unit: '/s',
    baseline: rate(oneS),
    baselineName: '1 worker',
    target: { on: 'ratio', op: '>=', limit: 1.9 },
  },
  {
    name: 'queue overhead per episode',
    value: overheadMs,
    unit: 'ms',
    target: { on: 'value', op: '<=', limit: 5 },
  },
]);
