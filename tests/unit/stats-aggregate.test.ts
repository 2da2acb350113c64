import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import { aggregate } from '../../src/eval/stats/aggregate.js';
import { latestAttempts } from '../../src/eval/stats/samples.js';
import type { Task } from '../../src/eval/task-schema.js';
import { evalRecord, toolCall } from '../support/eval-records.js';

const tasks: Task[] = [
  { id: 't1', prompt: 'q1', answer: '4', verifier: 'math', tags: ['a'] },
  { id: 't2', prompt: 'q2', answer: '4', verifier: 'math', tags: ['a', 'b'] },
  { id: 't3', prompt: 'q3', answer: '4', verifier: 'math', tags: ['b'] },
  { id: 't4', prompt: 'q4', answer: '4', verifier: 'math', tags: [] },
];

/**
 * Two samples per task and arm. tools: t1 right, right; t2 right, wrong; t3 right, then an
 * infra error retried into a right answer; t4 wrong, then an infra error left as the last
 * attempt. no-tools: only t2's first sample is right.
 */
const records = [
  evalRecord({
    task: 't1',
    sample: 0,
    reward: 1,
    toolCalls: [
      toolCall('calculator', true),
      toolCall('calculator', false, 'allow', 1),
      toolCall('python', false, 'deny', 2),
    ],
  }),
  evalRecord({ task: 't1', sample: 1, reward: 1 }),
  evalRecord({ task: 't2', sample: 0, reward: 1 }),
  evalRecord({ task: 't2', sample: 1, reward: 0 }),
  evalRecord({ task: 't3', sample: 0, reward: 1 }),
  evalRecord({ task: 't3', sample: 1, infra: true }),
  evalRecord({ task: 't3', sample: 1, attempt: 1, reward: 1 }),
  evalRecord({ task: 't4', sample: 0, reward: 0 }),
  evalRecord({ task: 't4', sample: 1, infra: true }),
  ...['t1', 't2', 't3', 't4'].flatMap((task) =>
    [0, 1].map((sample) =>
      evalRecord({
        task,
        arm: 'no-tools',
        sample,
        reward: task === 't2' && sample === 0 ? 1 : 0,
        ...(task === 't1' && sample === 0
          ? { toolCalls: [toolCall('calculator', false, 'unrequested')] }
          : {}),
      }),
    ),
  ),
];

const options = { arms: ['tools', 'no-tools'], tasks, createdAt: '2026-01-01T00:00:00.000Z' };

describe('aggregate', () => {
  const results = aggregate(records, options);
  const tools = results.arms['tools']!;
  const noTools = results.arms['no-tools']!;

  it('counts samples, scored samples and infra errors from the last attempts', () => {
    expect([tools.n, tools.scored, tools.infra_errors]).toEqual([8, 7, 1]);
    expect([noTools.n, noTools.scored, noTools.infra_errors]).toEqual([8, 8, 0]);
  });

  it('keeps infra errors out of accuracy and counts them as wrong in raw accuracy', () => {
    expect(tools.accuracy).toBeCloseTo(5 / 7, 12);
    expect(tools.raw_accuracy).toBeCloseTo(5 / 8, 12);
    expect(noTools.accuracy).toBe(1 / 8);
    expect(tools.accuracy_ci95![0]).toBeLessThan(5 / 7);
    expect(tools.accuracy_ci95![1]).toBeGreaterThan(5 / 7);
  });

  it('computes pass@k per task over scored samples, leaving out tasks with fewer than k', () => {
    // pass@1: (1 + 0.5 + 1 + 0) / 4; pass@2 over t1, t2, t3 only (t4 has one scored sample).
    expect(tools.pass_at_k).toEqual({ '1': 0.625, '2': 1 });
    expect(noTools.pass_at_k).toEqual({ '1': 0.125, '2': 0.25 });
  });

  it('computes maj@k with ties going to the answer given first', () => {
    // t2 votes "4" (right) then "5" (wrong): a tie the first answer wins.
    expect(tools.maj_at_k['2']).toBe(1);
    expect(noTools.maj_at_k['2']).toBe(0.25);
  });

  it('gives maj@1 equal to pass@1, since a vote of one sample is that sample', () => {
    // Before maj@k voted over the first k samples only: maj@1 was 0.75 against pass@1 0.625.
    expect(tools.maj_at_k['1']).toBe(tools.pass_at_k['1']);
    expect(noTools.maj_at_k['1']).toBe(noTools.pass_at_k['1']);
    expect(tools.maj_at_k['1']).toBe(0.625);
  });

  it('reports tool use, tool errors, denials and unrequested calls', () => {
    expect(tools.tool_calls_mean).toBeCloseTo(3 / 7, 12);
    expect(tools.tool_error_rate).toBe(0.5);
    expect(tools.denial_rate).toBeCloseTo(1 / 3, 12);
    expect(tools.unrequested_calls).toBe(0);
    expect(noTools.unrequested_calls).toBe(1);
    expect(noTools.tool_error_rate).toBeNull();
    expect(noTools.denial_rate).toBe(0);
  });

  it('counts every attempt in total tokens and completed samples in the means', () => {
    expect(tools.tokens).toEqual({ prompt_mean: 10, completion_mean: 5, total: 9 * 15 });
    expect(noTools.tokens.total).toBe(8 * 15);
  });

  it('reports latency mean, p50 and p95', () => {
    const timed = aggregate(
      [100, 200, 300, 400].map((ms, sample) => evalRecord({ task: 't1', sample, durationMs: ms })),
      options,
    );
    expect(timed.arms['tools']!.latency_ms).toEqual({ mean: 250, p50: 250, p95: 385 });
  });

  it('pairs the arms by task: diff, bootstrap interval, McNemar on tasks, discordant ids', () => {
    const paired = results.paired['tools_vs_no-tools']!;
    expect(paired.n_pairs).toBe(4);
    expect(paired.diff).toBe(0.5);
    expect(paired.diff_ci95![0]).toBeLessThanOrEqual(0.5);
    expect(paired.diff_ci95![1]).toBeGreaterThanOrEqual(0.5);
    expect(paired.mcnemar).toEqual({ b: 2, c: 0, p_value: 0.5 });
    expect(paired.discordant).toEqual(['t1', 't3']);
  });

  it('repeats the statistics per tag on the tagged tasks only', () => {
    expect(Object.keys(results.by_tag)).toEqual(['a', 'b']);
    const a = results.by_tag['a']!;
    expect([a.arms['tools']!.n, a.arms['tools']!.accuracy]).toEqual([4, 0.75]);
    expect(a.paired['tools_vs_no-tools']).toMatchObject({
      n_pairs: 2,
      diff: 0.5,
      discordant: ['t1'],
    });
    const b = results.by_tag['b']!;
    expect([b.arms['tools']!.n, b.arms['tools']!.infra_errors, b.arms['tools']!.scored]).toEqual([
      4, 0, 4,
    ]);
    expect(b.paired['tools_vs_no-tools']!.discordant).toEqual(['t3']);
  });

  it('fills in the run, model and creation time', () => {
    expect(results.run_id).toBe('run-1');
    expect(results.model).toEqual({
      provider: 'openai-compatible',
      name: 'scripted',
      base_url: 'http://127.0.0.1:1/v1',
    });
    expect(results.created_at).toBe('2026-01-01T00:00:00.000Z');
    expect(results.suite).toBeNull();
    const named = aggregate(records, {
      ...options,
      runId: 'r',
      suite: { path: 's.jsonl' },
      model: 'm',
    });
    expect([named.run_id, named.suite, named.model]).toEqual(['r', { path: 's.jsonl' }, 'm']);
  });

  it('is the same object for the same records and seed, and survives JSON', () => {
    const again = aggregate(records, options);
    expect(again).toEqual(results);
    expect(JSON.parse(JSON.stringify(results))).toEqual(results);
  });

  it('pairs every arm with every later arm', () => {
    const three = aggregate(records, { ...options, arms: ['tools', 'no-tools', 'python'] });
    expect(Object.keys(three.paired)).toEqual([
      'tools_vs_no-tools',
      'tools_vs_python',
      'no-tools_vs_python',
    ]);
    expect(three.arms['python']).toMatchObject({
      n: 0,
      scored: 0,
      accuracy: null,
      accuracy_ci95: null,
      raw_accuracy: null,
      pass_at_k: {},
    });
    expect(three.paired['tools_vs_python']).toMatchObject({
      n_pairs: 0,
      diff: null,
      diff_ci95: null,
      mcnemar: { b: 0, c: 0, p_value: 1 },
    });
  });

  it('ignores records of other tasks, other arms and plain runs', () => {
    const extra = [
      evalRecord({ task: 'unknown' }),
      evalRecord({ task: 't1', arm: 'other' }),
      { ...evalRecord({ task: 't1', sample: 9 }), task_id: null },
    ];
    expect(aggregate([...records, ...extra], options).arms).toEqual(results.arms);
  });

  it('refuses the same arm twice', () => {
    expect(() => aggregate(records, { ...options, arms: ['tools', 'tools'] })).toThrow(UsageError);
  });
});

describe('latestAttempts', () => {
  it('keeps the highest attempt of each sample, and the later line for equal attempts', () => {
    const first = evalRecord({ task: 't1', attempt: 1, reward: 0 });
    const retried = evalRecord({ task: 't1', attempt: 2, reward: 1 });
    const duplicate = { ...evalRecord({ task: 't1', attempt: 2, reward: 0 }), trace_id: 'dup' };
    expect(latestAttempts([retried, first])).toEqual([retried]);
    expect(latestAttempts([first, retried, duplicate])).toEqual([duplicate]);
  });
});
