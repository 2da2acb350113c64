import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseArms } from '../../src/eval/run/arms.js';
import { runEval } from '../../src/eval/run/runner.js';
import type { StrategyTag } from '../../src/eval/run/strategies.js';
import { loadSuite } from '../../src/eval/suite.js';
import { createOpenAIProvider } from '../../src/model/openai-provider.js';
import { allowListedPolicy } from '../../src/policy/builtin.js';
import { messageText } from '../../src/testing/script.js';
import {
  type ScriptedServer,
  type ScriptedServerOptions,
  type ScriptRequest,
  startScriptedServer,
} from '../../src/testing.js';
import { readTraces } from '../../src/trace/reader.js';
import type { TraceRecord } from '../../src/trace/schema.js';
import { createBuiltinTools } from '../../tools/index.js';

/** The runner's seed stride: without `n`, sample i of a decision has seed i × stride. */
const STRIDE = 1_000_003;

const TASKS = [
  { id: 'majority', prompt: 'Task majority: what is 3+4?', answer: '7' },
  { id: 'tie', prompt: 'Task tie: what is 2+3?', answer: '5' },
];
const SAMPLE_ANSWERS: Record<string, string[]> = {
  majority: ['8', '7', '7', '9'],
  tie: ['4', '5', '5', '4'],
};

const taskOf = (r: ScriptRequest) =>
  /Task (\w+)/.exec(messageText(r.messages.find((m) => m.role === 'user')))?.[1] ?? '?';
/** Which sample a reply is for: its choice of an `n` request, else its seed. */
const sampleOf = (r: ScriptRequest) => r.choice ?? Math.round((r.seed ?? 0) / STRIDE);
const tagOf = (r: TraceRecord) => (r as unknown as { strategy: StrategyTag }).strategy;

const servers: ScriptedServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function voteRun(
  n: ScriptedServerOptions['n'],
  concurrency = 1,
  arms = 'vote4=@vote:4',
  faults: ScriptedServerOptions['faults'] = [],
) {
  const server = await startScriptedServer({
    faults,
    script: (r) =>
      // A judge (its prompt lists the candidates) names the second one.
      messageText(r.messages.at(-1)).includes('Candidate answers')
        ? { content: '2' }
        : { content: `The answer is ${SAMPLE_ANSWERS[taskOf(r)]![sampleOf(r)]}.` },
    ...(n ? { n } : {}),
  });
  servers.push(server);
  const dir = await mkdtemp(join(tmpdir(), 'assay-vote-n-'));
  await writeFile(join(dir, 's.jsonl'), `${TASKS.map((t) => JSON.stringify(t)).join('\n')}\n`);
  const warnings: string[] = [];
  const summary = await runEval({
    suite: await loadSuite(join(dir, 's.jsonl')),
    arms: parseArms(arms, []),
    samples: 1,
    concurrency,
    seed: 0,
    model: createOpenAIProvider({ baseURL: server.url, model: 'scripted', maxRetries: 0 }),
    sampling: { temperature: 0.7 },
    policy: allowListedPolicy([]),
    createTools: (names) => createBuiltinTools(names as []),
    outDir: join(dir, 'out'),
    resume: false,
    onWarning: (m) => warnings.push(m),
  });
  const traces = await readTraces(join(dir, 'out', 'traces.jsonl'));
  const decision = (id: string) => tagOf(traces.find((r) => r.task_id === id)!).decision!;
  return { server, summary, traces, decision, warnings };
}

const withN = (server: ScriptedServer) => server.requests.filter((r) => r.body['n'] !== undefined);

describe('vote:K with the server answering n', { timeout: 60_000 }, () => {
  it('asks once per decision with n = K and votes over the K choices', async () => {
    const { server, traces, decision, warnings } = await voteRun(undefined, 8);
    expect(server.requests).toHaveLength(2);
    for (const request of server.requests) {
      expect(request.body['n']).toBe(4);
      expect(request.stream).toBe(false);
    }
    expect(traces).toHaveLength(8);
    // The same decisions as with four requests: choices stand in for seeds.
    expect(decision('majority')).toMatchObject({ chosen: 1, votes: 2, reward: 1, episodes: 4 });
    expect(decision('tie')).toMatchObject({ chosen: 0, votes: 2, reward: 0 });
    // Each sample counts the whole prompt, as if it had been its own request.
    for (const record of traces) {
      expect(record.usage.prompt_tokens).toBeGreaterThan(0);
      expect(record.usage.completion_tokens).toBeGreaterThan(0);
    }
    expect(warnings).toEqual([]);
  });

  it('asks once for the N samples of best-of-n, and once more for the judge', async () => {
    const { server, decision } = await voteRun(undefined, 8, 'pick=@best:3:judge');
    expect(withN(server).map((r) => r.body['n'])).toEqual([3, 3]);
    expect(server.requests).toHaveLength(4);
    // Candidates 8, 7, 7: the judge's "2" picks the sample at index 1.
    expect(decision('majority')).toMatchObject({ chosen: 1, reward: 1, episodes: 4 });
  });

  it('falls back to one request per sample when the server ignores n, and warns once', async () => {
    const { server, decision, warnings } = await voteRun('ignore');
    // The first decision learns it: one request with n (one choice back), three alone;
    // the second decision sends its four alone.
    expect(withN(server)).toHaveLength(1);
    expect(server.requests).toHaveLength(8);
    expect(decision('majority')).toMatchObject({ chosen: 1, votes: 2, reward: 1 });
    expect(decision('tie')).toMatchObject({ chosen: 0, votes: 2, reward: 0 });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('gave 1 of 4 choices');
  });

  it('keeps using n after a request with n fails for another reason (a 503)', async () => {
    const { server, traces, warnings } = await voteRun(undefined, 1, 'vote4=@vote:4', [
      { kind: 'status', status: 503 },
    ]);
    // The first decision's n request fails, its samples ask alone; the second uses n again.
    expect(withN(server)).toHaveLength(2);
    expect(server.requests).toHaveLength(6);
    expect(traces.every((r) => r.error === null)).toBe(true);
    expect(warnings).toEqual([]);
  });

  it('falls back when the server refuses n, without losing a sample', async () => {
    const { server, summary, traces, warnings } = await voteRun('reject');
    expect(withN(server)).toHaveLength(1);
    expect(server.requests).toHaveLength(9);
    expect(traces).toHaveLength(8);
    expect(traces.every((r) => r.error === null)).toBe(true);
    expect(summary.results.arms['vote4']!.accuracy).toBeCloseTo(1 / 2);
    expect(warnings[0]).toMatch(/does not answer "n".*not supported/);
  });
});
