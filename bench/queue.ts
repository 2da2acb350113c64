/**
 * The episode queue (`assay eval --queue`) against a real redis-server (scripts/ensure-redis.sh):
 * episodes whose model answers in 100 ms, run by one BullMQ worker and by two (each with the
 * same --concurrency, in this process), beside the same episodes run locally at that
 * concurrency. Prints throughput, the 2-vs-1 ratio, and the queue's added time per episode.
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

async function local(): Promise<number> {
  const started = performance.now();
  const summary = await runEval(base('local'));
  check(summary.results.arms['no-tools']?.accuracy);
  return (performance.now() - started) / 1000;
}

async function queued(workers: number): Promise<number> {
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
  try {
    const summary = await runEval({
      ...base(`queue${workers}`),
      concurrency: 1_000_000,
      runId,
      execute: collector.execute,
      extraResults: collector.extraResults,
    });
    check(summary.results.arms['no-tools']?.accuracy);
    return (performance.now() - started) / 1000;
  } finally {
    await collector.close(true);
    stop.abort();
    await Promise.all(running);
  }
}

await local(); // warm-up
const localS = await local();
const oneS = await queued(1);
const twoS = await queued(2);
await rm(dir, { recursive: true, force: true });

const rate = (s: number) => TASKS / s;
// Extra wall time per episode slot: each of CONCURRENCY slots runs TASKS/CONCURRENCY episodes.
const overheadMs = ((oneS - localS) * 1000 * CONCURRENCY) / TASKS;
console.log(`episodes: ${TASKS}, model ${DELAY_MS} ms per call, concurrency ${CONCURRENCY}`);
console.log(`local            ${rate(localS).toFixed(1)} episodes/s`);
console.log(`queue, 1 worker  ${rate(oneS).toFixed(1)} episodes/s`);
console.log(`queue, 2 workers ${rate(twoS).toFixed(1)} episodes/s  (target ≥ 1.9× one worker)`);
console.log(`2 vs 1 workers   ${(oneS / twoS).toFixed(2)}x`);
console.log(`queue overhead   ${overheadMs.toFixed(1)} ms per episode (target ≤ 5 ms)`);
reportFigures('queue', [
  {
    name: 'queued episodes with 2 workers',
    value: rate(twoS),
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
