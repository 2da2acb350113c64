import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseArms } from '../../src/eval/run/arms.js';
import { openQueueCollector } from '../../src/eval/run/queue-collector.js';
import { runQueueWorker } from '../../src/eval/run/queue-worker.js';
import { runEval } from '../../src/eval/run/runner.js';
import { REFINE_PROMPT, type StrategyTag } from '../../src/eval/run/strategies.js';
import { loadSuite } from '../../src/eval/suite.js';
import { allowListedPolicy } from '../../src/policy/builtin.js';
import { messageText } from '../../src/testing/script.js';
import { createScriptedModel, type ScriptRequest } from '../../src/testing.js';
import { readTraces } from '../../src/trace/reader.js';
import type { TraceRecord } from '../../src/trace/schema.js';
import { createBuiltinTools } from '../../tools/index.js';
import { requireRedis } from '../support/redis.js';

const redis = await requireRedis();
const QUEUE = `${redis.url}/7`;
const STRIDE = 1_000_003;
const policy = allowListedPolicy(['calculator']);
const ARMS = 'maj=@vote:3,pick=@best:3:judge,ref=@refine:2:self';

const TASKS = [
  { id: 'majority', prompt: 'Task majority: what is 3+4?', answer: '7' },
  { id: 'tie', prompt: 'Task tie: what is 2+3?', answer: '5' },
  { id: 'normalized', prompt: 'Task normalized: what is 10^3?', answer: '1000' },
];
/** Per task, the answer of sample i (its seed says which sample it is). */
const SAMPLE_ANSWERS: Record<string, string[]> = {
  majority: ['8', '7', '7'],
  tie: ['4', '5', '4'],
  normalized: ['9', '1,000', '1000.0'],
};

/** Varies by seed, by judge prompt and by refine round, and answers in 20 ms. */
function model() {
  return createScriptedModel(async (r: ScriptRequest) => {
    await new Promise((resolve) => setTimeout(resolve, 20));
    const first = messageText(r.messages.find((m) => m.role === 'user'));
    const task = /Task (\w+)/.exec(first)?.[1] ?? '?';
    if (first.includes('Candidate answers')) return { content: task === 'tie' ? '2' : '3' };
    const reviews = r.messages.filter(
      (m) => m.role === 'user' && messageText(m) === REFINE_PROMPT,
    ).length;
    const sample = Math.round((r.seed ?? 0) / STRIDE);
    // A refine round corrects `majority` once, then keeps it.
    if (reviews > 0 && task === 'majority') return { content: 'The answer is 7.' };
    return { content: `The answer is ${SAMPLE_ANSWERS[task]![sample]}.` };
  });
}

const tagOf = (r: TraceRecord) => (r as unknown as { strategy: StrategyTag }).strategy;
/** Each (task, arm) decision, as the lines of the decision carry it. */
function decisions(traces: TraceRecord[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const r of traces) {
    const d = tagOf(r).decision!;
    out[`${r.task_id}/${r.arm}`] = {
      answer: d.answer,
      chosen: d.chosen,
      reward: d.reward,
      episodes: d.episodes,
      votes: d.votes,
      stopped: d.stopped,
    };
  }
  return out;
}

async function evalRun(queued: boolean) {
  const dir = await mkdtemp(join(tmpdir(), 'assay-queue-strategies-'));
  const path = join(dir, 'suite.jsonl');
  await writeFile(path, `${TASKS.map((t) => JSON.stringify(t)).join('\n')}\n`);
  const suite = await loadSuite(path);
  const coordinatorModel = model();
  const runId = `strategies-${process.pid}-${Date.now()}-${queued}`;
  const collector = queued
    ? await openQueueCollector({
        url: QUEUE,
        runId,
        model: coordinatorModel.info,
        policy,
        sampling: { temperature: 0.7 },
      })
    : null;
  const stop = new AbortController();
  const workers = queued
    ? ['w1', 'w2'].map((name) =>
        runQueueWorker({
          url: QUEUE,
          concurrency: 2,
          name,
          model: model(),
          policy,
          createTools: (names) => createBuiltinTools(names as ['calculator']),
          settings: {},
          signal: stop.signal,
        }),
      )
    : [];
  try {
    const summary = await runEval({
      suite,
      arms: parseArms(ARMS, ['calculator']),
      samples: 1,
      concurrency: queued ? 1000 : 4,
      seed: 0,
      model: coordinatorModel,
      sampling: { temperature: 0.7 },
      policy,
      createTools: (names) => createBuiltinTools(names as ['calculator']),
      outDir: join(dir, 'out'),
      resume: false,
      ...(collector
        ? { runId, execute: collector.execute, extraResults: collector.extraResults }
        : {}),
    });
    return { summary, traces: await readTraces(join(dir, 'out', 'traces.jsonl')) };
  } finally {
    await collector?.close(true);
    stop.abort();
    await Promise.all(workers);
  }
}

describe.skipIf(!redis.available)('strategy arms on the queue', { timeout: 60_000 }, () => {
  it('send each underlying episode to the workers and make the same decisions as a local run', async () => {
    const local = await evalRun(false);
    const queued = await evalRun(true);

    // The same lines (samples, judges, rounds) and the same decisions, task by task.
    expect(queued.traces).toHaveLength(local.traces.length);
    expect(decisions(queued.traces)).toEqual(decisions(local.traces));
    const lines = (t: TraceRecord[]) =>
      t.map((r) => `${r.task_id}/${r.arm}/${tagOf(r).role}/${tagOf(r).index}`).sort();
    expect(lines(queued.traces)).toEqual(lines(local.traces));
    // One decision per (task, arm, sample), each made of lines run by the workers.
    for (const arm of ['maj', 'pick', 'ref']) {
      expect(queued.summary.results.arms[arm]).toMatchObject({
        n: 3,
        accuracy: local.summary.results.arms[arm]!.accuracy,
      });
    }
    const workersUsed = new Set(
      queued.traces.map((r) => (r.runtime['worker'] as { name: string }).name),
    );
    expect(workersUsed).toEqual(new Set(['w1', 'w2']));
    // The judge is unscored by the worker; its reward is the chosen candidate's, as locally.
    const judge = (t: TraceRecord[]) =>
      t.find((r) => r.task_id === 'majority' && tagOf(r).role === 'judge')!;
    expect(judge(queued.traces).reward).toBe(judge(local.traces).reward);
  });
});
