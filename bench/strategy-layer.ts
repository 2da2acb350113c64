/**
 * The strategy layer alone: `runDecision` for `vote:8`, `best:4:judge` and `refine:2:self`
 * over many tasks, with fake episodes that resolve at once (premade scored records), beside
 * the baseline of the same episodes collected without any strategy (K calls, results kept).
 * The difference per task is what the layer itself costs: tagging, the vote, the judge
 * prompt, the refine conversation and the decision's totals. Target ≤ 0.2 ms per task.
 */
import type { ChatMessage } from '../src/core/messages.js';
import { type RunScored, runDecision } from '../src/eval/run/strategies.js';
import type { Strategy } from '../src/eval/run/strategy-spec.js';
import type { Task } from '../src/eval/task-schema.js';
import type { TraceRecord } from '../src/trace/schema.js';
import { reportFigures } from './figures.js';

const TASKS = Number(process.env['BENCH_TASKS'] ?? 20_000);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 7);

const tasks: Task[] = Array.from({ length: TASKS }, (_, i) => ({
  id: `t${i}`,
  prompt: `What is ${i} + 1?`,
  answer: String(i + 1),
  verifier: 'math',
  tags: [],
}));

/** A scored episode as the runner hands it back: the answer varies with the seed offset. */
function record(task: Task, offset: number, messages: ChatMessage[]): TraceRecord {
  const value = offset % 3 === 0 ? String(Number(task.answer) + 1) : task.answer!;
  const answer = `The answer is ${value}.`;
  return {
    final_answer: answer,
    reward: value === task.answer ? 1 : 0,
    verifier: { extracted: value },
    usage: { prompt_tokens: 20, completion_tokens: 6 },
    turns: [{}],
    error: null,
    messages: [...messages, { role: 'assistant', content: answer }],
  } as unknown as TraceRecord;
}

const fakeEpisodes =
  (task: Task): RunScored =>
  async (input) =>
    // A judge names candidate 1; every other episode answers.
    input.tag.role === 'judge'
      ? [{ ...record(task, 0, input.messages), final_answer: '1' } as TraceRecord]
      : [record(task, input.seedOffset, input.messages)];

/** The same number of episodes, collected with no strategy: the baseline. */
async function baseline(strategy: Strategy, task: Task): Promise<number> {
  const count =
    strategy.name === 'vote' ? strategy.k : strategy.name === 'best' ? strategy.n + 1 : 2;
  const run = fakeEpisodes(task);
  const tag = { name: 'vote', params: {}, role: 'sample', index: 0, decision_id: 'd' } as const;
  const all = await Promise.all(
    Array.from({ length: count }, (_, i) =>
      run({ messages: [], useTools: true, seedOffset: i, tag, score: true }),
    ),
  );
  return all.length;
}

async function decide(strategy: Exclude<Strategy, { name: 'single' }>, task: Task) {
  const result = await runDecision(strategy, task, `d-${task.id}`, fakeEpisodes(task));
  return result?.decision.episodes ?? 0;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function time(fn: (task: Task) => Promise<number>): Promise<{ ms: number; cpu: number }> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let episodes = 0;
  for (const task of tasks) episodes += await fn(task);
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  if (episodes < tasks.length) throw new Error('episodes went missing');
  return { ms, cpu: (cpu.user + cpu.system) / 1000 };
}

const STRATEGIES: Exclude<Strategy, { name: 'single' }>[] = [
  { name: 'vote', k: 8 },
  { name: 'best', n: 4, selector: 'judge' },
  { name: 'refine', rounds: 2, feedback: 'self' },
];

const figures = [];
console.log(`${TASKS} tasks, fake episodes that resolve at once, median of ${ROUNDS}:`);
for (const strategy of STRATEGIES) {
  const label =
    strategy.name === 'vote'
      ? 'vote:8'
      : strategy.name === 'best'
        ? 'best:4:judge'
        : 'refine:2:self';
  await time((t) => baseline(strategy, t)); // warm-up: JIT
  await time((t) => decide(strategy, t));
  const base: number[] = [];
  const layer: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    base.push((await time((t) => baseline(strategy, t))).ms);
    const d = await time((t) => decide(strategy, t));
    layer.push(d.ms);
    cpu.push(d.cpu);
  }
  const perTask = (median(layer) - median(base)) / TASKS;
  console.log(
    `  ${label.padEnd(14)} episodes only ${((median(base) / TASKS) * 1000).toFixed(1)} µs/task, with the strategy ${((median(layer) / TASKS) * 1000).toFixed(1)} µs/task (cpu ${((median(cpu) / TASKS) * 1000).toFixed(1)} µs): layer ${(perTask * 1000).toFixed(1)} µs/task (target ≤ 200 µs)`,
  );
  figures.push({
    name: `${label} strategy layer per task (fake episodes)`,
    value: perTask,
    unit: 'ms',
    baseline: median(base) / TASKS,
    baselineName: 'the same episodes without a strategy',
    target: { on: 'value' as const, op: '<=' as const, limit: 0.2 },
  });
}
reportFigures('strategy-layer', figures);
