import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { rescoreRun } from '../../src/eval/report/rescore.js';
import { parseArms } from '../../src/eval/run/arms.js';
import { runEval } from '../../src/eval/run/runner.js';
import { REFINE_PROMPT, type StrategyTag } from '../../src/eval/run/strategies.js';
import { loadSuite } from '../../src/eval/suite.js';
import { createOpenAIProvider } from '../../src/model/openai-provider.js';
import { allowListedPolicy } from '../../src/policy/builtin.js';
import { messageText } from '../../src/testing/script.js';
import {
  type ScriptedServer,
  type ScriptReply,
  type ScriptRequest,
  startScriptedServer,
} from '../../src/testing.js';
import { readTraces } from '../../src/trace/reader.js';
import type { TraceRecord } from '../../src/trace/schema.js';
import { createBuiltinTools } from '../../tools/index.js';

/** The runner's seed stride: sample i of a decision at sample index 0 has seed i × stride. */
const STRIDE = 1_000_003;

const servers: ScriptedServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const TASKS = [
  { id: 'majority', prompt: 'Task majority: what is 3+4?', answer: '7' },
  { id: 'tie', prompt: 'Task tie: what is 2+3?', answer: '5' },
  { id: 'normalized', prompt: 'Task normalized: what is 10^3?', answer: '1000' },
];

/** Per task, the answer of sample i (its seed says which sample it is). */
const SAMPLE_ANSWERS: Record<string, string[]> = {
  majority: ['8', '7', '7', '9'],
  tie: ['4', '5', '5', '4'],
  normalized: ['9', '1,000', '1000.0', '1000'],
};

function taskOf(request: ScriptRequest): string {
  const text = messageText(request.messages.find((m) => m.role === 'user'));
  return /Task (\w+)/.exec(text)?.[1] ?? /Problem:\nTask (\w+)/.exec(text)?.[1] ?? '?';
}

function sampleOf(request: ScriptRequest): number {
  return request.choice ?? Math.round((request.seed ?? 0) / STRIDE);
}

async function setup(script: (r: ScriptRequest) => ScriptReply | Promise<ScriptReply>) {
  const dir = await mkdtemp(join(tmpdir(), 'assay-strategies-'));
  const path = join(dir, 'suite.jsonl');
  await writeFile(path, `${TASKS.map((t) => JSON.stringify(t)).join('\n')}\n`);
  // A server that ignores `n` (as Ollama does): every sample is a request of its own, so the
  // counts below are per sample; eval-vote-n.test.ts covers servers that answer `n`.
  const server = await startScriptedServer({ script, n: 'ignore' });
  servers.push(server);
  return { dir, suite: await loadSuite(path), server };
}

async function run(
  env: Awaited<ReturnType<typeof setup>>,
  arms: string,
  extra: { concurrency?: number; samples?: number; resume?: boolean } = {},
) {
  const summary = await runEval({
    suite: env.suite,
    arms: parseArms(arms, ['calculator']),
    samples: extra.samples ?? 1,
    concurrency: extra.concurrency ?? 4,
    seed: 0,
    model: createOpenAIProvider({ baseURL: env.server.url, model: 'scripted' }),
    sampling: { temperature: 0.7 },
    policy: allowListedPolicy(['calculator']),
    createTools: (names) => createBuiltinTools(names as ['calculator']),
    outDir: join(env.dir, 'out'),
    resume: extra.resume ?? false,
  });
  const traces = await readTraces(join(env.dir, 'out', 'traces.jsonl'));
  return { summary, traces };
}

const tagOf = (r: TraceRecord) => (r as unknown as { strategy: StrategyTag }).strategy;
const decisionOf = (traces: TraceRecord[], task: string) =>
  tagOf(traces.find((r) => r.task_id === task)!).decision!;

describe('vote:K arms', { timeout: 60_000 }, () => {
  it('answer with the majority, break ties by the earliest sample, and normalize answers', async () => {
    const env = await setup((r) => ({
      content: `The answer is ${SAMPLE_ANSWERS[taskOf(r)]![sampleOf(r)]}.`,
    }));
    const { summary, traces } = await run(env, 'vote4=@vote:4');

    expect(traces).toHaveLength(12);
    for (const record of traces) {
      const tag = tagOf(record);
      expect(tag).toMatchObject({ name: 'vote', params: { k: 4 }, role: 'sample' });
      // Every episode is scored on its own, so exports get one rollout with a reward each.
      expect(record.reward).not.toBeNull();
    }
    expect(decisionOf(traces, 'majority')).toMatchObject({
      answer: 'The answer is 7.',
      reward: 1,
      chosen: 1,
      votes: 2,
      episodes: 4,
      model_calls: 4,
    });
    // 4 and 5 have two votes each: 4 came first, so the vote says 4 (wrong).
    expect(decisionOf(traces, 'tie')).toMatchObject({ chosen: 0, votes: 2, reward: 0 });
    // "1,000", "1000.0" and "1000" are one answer under the math verifier's equality.
    expect(decisionOf(traces, 'normalized')).toMatchObject({ chosen: 1, votes: 3, reward: 1 });
    const ids = new Set(traces.map((r) => tagOf(r).decision_id));
    expect(ids.size).toBe(3);

    const arm = summary.results.arms['vote4']!;
    expect(arm.n).toBe(3);
    expect(arm.accuracy).toBeCloseTo(2 / 3);
    expect(arm.accuracy_ci95).not.toBeNull();
    expect(arm.compute?.model_calls_per_task_mean).toBe(4);
    const single = traces[0]!.usage.prompt_tokens + traces[0]!.usage.completion_tokens;
    expect(arm.compute?.tokens_per_task_mean).toBeGreaterThanOrEqual(4 * single - 8);
    // Replayed with its first k samples: k=1 says 8, 4, 9 (all wrong); k=2 ties go to the first
    // sample (8, 4, 9: wrong); k=4 is the full vote (7, 4, 1000: two right).
    expect(arm.vote_curve?.map((c) => [c.k, c.accuracy])).toEqual([
      [1, 0],
      [2, 0],
      [4, 2 / 3],
    ]);
    const written = JSON.parse(await readFile(join(env.dir, 'out', 'results.json'), 'utf8'));
    expect(written.arms.vote4.n).toBe(3);
  });

  it('run samples in parallel but never more episodes at once than --concurrency', async () => {
    let inFlight = 0;
    let peak = 0;
    const env = await setup(async () => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 20));
      inFlight--;
      return { content: 'The answer is 7.' };
    });
    await run(env, 'vote8=@vote:8', { concurrency: 3 });
    expect(peak).toBe(3);
  });

  it('send the arm effort as reasoning_effort, and nothing for arms without one', async () => {
    const env = await setup(() => ({ content: 'The answer is 7.' }));
    const { traces } = await run(env, 'no-tools,low=@vote:2@effort:low');
    const efforts = env.server.requests.map((r) => r.body['reasoning_effort']);
    expect(efforts.filter((e) => e === 'low')).toHaveLength(6);
    expect(efforts.filter((e) => e === undefined)).toHaveLength(3);
    expect(traces.find((r) => r.arm === 'low')!.sampling.reasoning_effort).toBe('low');
    expect(traces.find((r) => r.arm === 'no-tools')!.sampling.reasoning_effort).toBeUndefined();
  });
});

describe('resuming a strategy arm', { timeout: 60_000 }, () => {
  it('redoes a decision whose lines were cut off, and keeps the finished ones', async () => {
    const env = await setup((r) => ({
      content: `The answer is ${SAMPLE_ANSWERS[taskOf(r)]![sampleOf(r)]}.`,
    }));
    const first = await run(env, 'vote4=@vote:4', { concurrency: 1 });
    const path = join(env.dir, 'out', 'traces.jsonl');
    const lines = (await readFile(path, 'utf8')).split('\n').filter(Boolean);
    // A run killed while writing the last decision's lines: two of its four are on disk.
    const cut = tagOf(first.traces.at(-1)!).decision_id;
    await writeFile(path, `${lines.slice(0, -2).join('\n')}\n`);
    const before = env.server.requests.length;

    const { summary, traces } = await run(env, 'vote4=@vote:4', { resume: true });
    expect(env.server.requests.length - before).toBe(4);
    expect(summary.resumed).toBe(2);
    expect(summary.results.arms['vote4']!.n).toBe(3);
    expect(summary.results.arms['vote4']!.accuracy).toBeCloseTo(2 / 3);
    expect(traces.filter((r) => tagOf(r).decision_id === cut)).toHaveLength(2);
  });
});

describe('rescoring a strategy run', { timeout: 60_000 }, () => {
  it('counts the votes again and keeps the judge out of the verifier', async () => {
    const env = await setup((r) => {
      if (messageText(r.messages[0]).includes('Candidate answers')) return { content: '2' };
      return { content: `The answer is ${SAMPLE_ANSWERS[taskOf(r)]![sampleOf(r)]}.` };
    });
    await run(env, 'vote4=@vote:4,pick=@best:3:judge');
    // The reference answer of `tie` was wrong: it is 4, which won the vote on a tie.
    const fixed = TASKS.map((t) => (t.id === 'tie' ? { ...t, answer: '4' } : t));
    const path = join(env.dir, 'fixed.jsonl');
    await writeFile(path, `${fixed.map((t) => JSON.stringify(t)).join('\n')}\n`);
    const results = await rescoreRun(join(env.dir, 'out'), path);

    expect(results.arms['vote4']!.n).toBe(3);
    expect(results.arms['vote4']!.accuracy).toBe(1);
    const traces = await readTraces(join(env.dir, 'out', 'traces.jsonl'));
    const vote = traces.filter((r) => r.arm === 'vote4');
    expect(decisionOf(vote, 'tie')).toMatchObject({ chosen: 0, reward: 1 });
    // best:3 on `tie` drew 4, 5, 5 and the judge picked candidate 2 (5): now wrong, judge too.
    const pick = traces.filter((r) => r.arm === 'pick');
    expect(decisionOf(pick, 'tie')).toMatchObject({ chosen: 1, reward: 0, oracle_correct: true });
    const judge = pick.find((r) => r.task_id === 'tie' && tagOf(r).role === 'judge')!;
    expect(judge.verifier).toBeNull();
    expect(judge.reward).toBe(0);
    expect(results.arms['pick']!.n).toBe(3);
  });
});

describe('best:N:judge arms', { timeout: 60_000 }, () => {
  it("record the judge's choice, and keep the oracle's pass@N apart from accuracy", async () => {
    const env = await setup((r) => {
      const task = taskOf(r);
      const text = messageText(r.messages[0]);
      if (text.includes('Candidate answers')) {
        // The judge picks candidate 3 (wrong) on `majority`, talks nonsense on `tie`.
        return { content: task === 'majority' ? '3' : task === 'tie' ? 'banana' : '2' };
      }
      return { content: `The answer is ${SAMPLE_ANSWERS[task]![sampleOf(r)]}.` };
    });
    const { summary, traces } = await run(env, 'pick=@best:3:judge');

    const judges = traces.filter((r) => tagOf(r).role === 'judge');
    expect(judges).toHaveLength(3);
    expect(judges.every((r) => r.tools.length === 0)).toBe(true);
    expect(decisionOf(traces, 'majority')).toMatchObject({
      chosen: 2,
      answer: 'The answer is 7.',
      judge_valid: true,
      oracle_correct: true,
      reward: 1,
    });
    expect(decisionOf(traces, 'tie')).toMatchObject({
      chosen: 0,
      judge_valid: false,
      oracle_correct: true,
      reward: 0,
    });
    expect(decisionOf(traces, 'normalized')).toMatchObject({ chosen: 1, reward: 1 });
    // The judge's line is rewarded with what it picked; an unusable reply earns 0.
    const judgeOf = (task: string) => judges.find((r) => r.task_id === task)!;
    expect(judgeOf('majority').reward).toBe(1);
    expect(judgeOf('tie').reward).toBe(0);

    const arm = summary.results.arms['pick']!;
    expect(arm.accuracy).toBeCloseTo(2 / 3);
    expect(arm.oracle_pass_at_n).toBe(1);
    expect(arm.compute?.model_calls_per_task_mean).toBe(4);
  });
});

describe('refine:R arms', { timeout: 60_000 }, () => {
  /** `stubborn` keeps its second answer; `fickle` changes its answer every round. */
  const ROUNDS: Record<string, string[]> = {
    majority: ['6', '7', '7', '7'],
    tie: ['1', '2', '3', '4', '5'],
    normalized: ['1000', '1,000'],
  };
  const reviews = (r: ScriptRequest) =>
    r.messages.filter((m) => m.role === 'user' && messageText(m) === REFINE_PROMPT).length;

  it('stop after R rounds or as soon as the model keeps its answer', async () => {
    const env = await setup((r) => ({
      content: `The answer is ${ROUNDS[taskOf(r)]![reviews(r)]}.`,
    }));
    const { summary, traces } = await run(env, 'refine=@refine:3:self');

    const rounds = (task: string) => traces.filter((r) => r.task_id === task);
    expect(rounds('majority').map((r) => tagOf(r).index)).toEqual([0, 1, 2]);
    expect(decisionOf(traces, 'majority')).toMatchObject({
      stopped: 'kept_answer',
      chosen: 2,
      reward: 1,
    });
    expect(rounds('tie')).toHaveLength(4);
    expect(decisionOf(traces, 'tie')).toMatchObject({
      stopped: 'rounds',
      chosen: 3,
      answer: 'The answer is 4.',
      reward: 0,
    });
    // "1,000" restates "1000": the same answer under the verifier, so the loop stops.
    expect(decisionOf(traces, 'normalized')).toMatchObject({ stopped: 'kept_answer', episodes: 2 });
    // Without outside signal, review rounds advertise no tools.
    const reviewRequests = env.server.requests.filter((r) => reviews(r) > 0);
    expect(reviewRequests.length).toBeGreaterThan(0);
    expect(reviewRequests.every((r) => r.tools.length === 0)).toBe(true);
    expect(summary.results.arms['refine']!.accuracy).toBeCloseTo(2 / 3);
    expect(summary.results.arms['refine']!.compute?.model_calls_per_task_mean).toBeCloseTo(3);
  });

  it('offer the arm tools during review with refine:R:tools', async () => {
    const env = await setup((r) => ({
      content: `The answer is ${ROUNDS[taskOf(r)]![reviews(r)]}.`,
    }));
    await run(env, 'check=calculator@refine:1:tools');
    const reviewRequests = env.server.requests.filter((r) => reviews(r) > 0);
    expect(reviewRequests).toHaveLength(3);
    expect(reviewRequests.every((r) => r.tools.map((t) => t.name).join() === 'calculator')).toBe(
      true,
    );
  });
});
