/**
 * Inference-scaling arms. (1) Wall time of one task under `vote:8` beside a single sample,
 * against the scripted HTTP server answering after 50 ms, at `--concurrency 8`: the eight
 * samples run in parallel, so the vote should cost about one sample's wall (target ≤ 1.5×).
 * (2) What the strategy layer adds per task: `vote:8` over many tasks beside `--samples 8` of
 * a plain arm (the same episodes, no decisions), with an instant in-process model. `plain
 * --samples 8` on the 50 ms server separates the cost of eight episodes from the vote itself.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ModelProvider } from '../src/core/provider.js';
import type { Arm } from '../src/eval/run/arms.js';
import { runEval } from '../src/eval/run/runner.js';
import { loadSuite, type Suite } from '../src/eval/suite.js';
import { createOpenAIProvider } from '../src/model/openai-provider.js';
import { allowListedPolicy } from '../src/policy/builtin.js';
import { createScriptedModel, startScriptedServer } from '../src/testing.js';
import { createBuiltinTools } from '../tools/index.js';
import { reportFigures } from './figures.js';

const DELAY_MS = 50;
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 15);
const TASKS = Number(process.env['BENCH_TASKS'] ?? 200);
const dir = await mkdtemp(join(tmpdir(), 'assay-bench-strategies-'));

async function suiteOf(n: number, name: string): Promise<Suite> {
  const path = join(dir, `${name}.jsonl`);
  const lines = Array.from({ length: n }, (_, i) =>
    JSON.stringify({ id: `t${i}`, prompt: `What is ${i} + 1?`, answer: String(i + 1) }),
  );
  await writeFile(path, `${lines.join('\n')}\n`);
  return loadSuite(path);
}

let runs = 0;
async function timeRun(
  suite: Suite,
  model: ModelProvider,
  arm: Arm,
  samples: number,
): Promise<number> {
  const started = performance.now();
  const summary = await runEval({
    suite,
    arms: [arm],
    samples,
    concurrency: 8,
    seed: 0,
    model,
    sampling: {},
    policy: allowListedPolicy([]),
    createTools: (names) => createBuiltinTools(names as []),
    outDir: join(dir, `run-${runs++}`),
    resume: false,
  });
  const ms = performance.now() - started;
  if (summary.results.arms[arm.name]?.accuracy !== 1)
    throw new Error('expected every answer right');
  return ms;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const answer = (text: string) => ({
  content: `The answer is ${Number(/\d+/.exec(text)![0]) + 1}.`,
});
const promptOf = (messages: { role: string; content?: unknown }[]) =>
  String(messages.find((m) => m.role === 'user')?.content ?? '');

// (1) vote:8 wall against one sample, with a 50 ms server.
const server = await startScriptedServer({
  script: async (request) => {
    await new Promise((r) => setTimeout(r, DELAY_MS));
    return answer(promptOf(request.messages));
  },
});
const remote = createOpenAIProvider({ baseURL: server.url, model: 'scripted' });
const one = await suiteOf(1, 'one');
const single: Arm = { name: 'single', tools: [] };
const vote: Arm = { name: 'vote8', tools: [], strategy: { name: 'vote', k: 8 } };
await timeRun(one, remote, vote, 1); // warm-up: connections, JIT
const singleWall: number[] = [];
const voteWall: number[] = [];
const plainWall: number[] = [];
for (let i = 0; i < ROUNDS; i++) {
  singleWall.push(await timeRun(one, remote, single, 1));
  voteWall.push(await timeRun(one, remote, vote, 1));
  plainWall.push(await timeRun(one, remote, single, 8));
}
await server.close();

// (2) The strategy layer's own cost per task, with an instant model.
const model = createScriptedModel((request) => answer(promptOf(request.messages)));
const many = await suiteOf(TASKS, 'many');
await timeRun(many, model, vote, 1);
const plainMs: number[] = [];
const voteMs: number[] = [];
for (let i = 0; i < 3; i++) {
  plainMs.push(await timeRun(many, model, single, 8));
  voteMs.push(await timeRun(many, model, vote, 1));
}
await rm(dir, { recursive: true, force: true });

const sw = median(singleWall);
const vw = median(voteWall);
const overhead = (median(voteMs) - median(plainMs)) / TASKS;
console.log(`one task, ${DELAY_MS} ms per model call, --concurrency 8, median of ${ROUNDS}:`);
console.log(`  single sample      ${sw.toFixed(1)} ms`);
console.log(
  `  plain --samples 8  ${median(plainWall).toFixed(1)} ms  (the same 8 episodes, no vote)`,
);
console.log(
  `  vote:8         ${vw.toFixed(1)} ms  (ratio ${(vw / sw).toFixed(2)}x, target ≤ 1.5x)`,
);
console.log(`${TASKS} tasks × 8 episodes, instant model, median of 3:`);
console.log(`  --samples 8 (plain)  ${median(plainMs).toFixed(0)} ms`);
console.log(`  vote:8               ${median(voteMs).toFixed(0)} ms`);
console.log(`  strategy layer       ${overhead.toFixed(3)} ms per task (target ≤ 0.2 ms)`);
reportFigures('strategies', [
  {
    name: 'vote:8 wall of one task (50 ms server)',
    value: vw,
    unit: 'ms',
    baseline: sw,
    baselineName: 'single sample',
    target: { on: 'ratio', op: '<=', limit: 1.5 },
  },
  {
    name: 'strategy layer per task (vote:8 − plain 8 samples)',
    value: overhead,
    unit: 'ms',
    target: { on: 'value', op: '<=', limit: 0.2 },
  },
]);
