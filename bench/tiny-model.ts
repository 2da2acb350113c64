/**
 * The bundled tiny model in process: generation speed of the provider against a bare
 * node-llama-cpp evaluation loop on the same prompt, then whole episodes (tools on and off)
 * at concurrency 1 and 4, with their accuracy on held-out questions of the three kinds it was
 * trained on: arithmetic (calculator), facts of a made-up world (web_search over a corpus
 * written for the bench) and small computations (python, in the Docker sandbox).
 *
 *   npx tsx bench/tiny-model.ts   (BENCH_TASKS=20 per kind, BENCH_THREADS=1, BENCH_MODEL=FILE.gguf)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pLimit from 'p-limit';
import { computation } from '../examples/tiny-model/computations.js';
import { arithmeticQuestion } from '../examples/tiny-model/questions.js';
import { runTool } from '../examples/tiny-model/run-tool.js';
import { buildWorld, writeWorld } from '../examples/tiny-model/world.js';
import { runEpisode } from '../src/agent/episode.js';
import { EpisodeResourcePool } from '../src/agent/resources.js';
import type { ModelProvider, ModelRequest } from '../src/core/provider.js';
import { seededRandom } from '../src/eval/prng.js';
import { createLlamaCppProvider, defaultModelPath } from '../src/model/llama-cpp-provider.js';
import { allowListedPolicy } from '../src/policy/builtin.js';
import { createBuiltinTools } from '../tools/index.js';
import { reportFigures } from './figures.js';

const TASKS = Number(process.env['BENCH_TASKS'] ?? 20);
const THREADS = Number(process.env['BENCH_THREADS'] ?? 1);
const MODEL = process.env['BENCH_MODEL'] ?? defaultModelPath();
const KINDS = (process.env['BENCH_KINDS'] ?? 'arithmetic,facts,computation').split(',');

interface Question {
  kind: string;
  prompt: string;
  /** Empty for a computation until its program has run. */
  answer: string;
  /** A computation's program, whose output is the answer. */
  code?: string;
}

// The training data used seeds 1 to 30; 4242 draws questions (and a world) it has not seen.
const random = seededRandom(4242);
const questions: Question[] = [];
if (KINDS.includes('arithmetic')) {
  for (let i = 0; i < TASKS; i++)
    questions.push({ kind: 'arithmetic', ...arithmeticQuestion(random) });
}
const worldDir = mkdtempSync(join(tmpdir(), 'assay-bench-world-'));
if (KINDS.includes('facts')) {
  const pages = buildWorld(random, 200);
  writeWorld(worldDir, pages);
  for (let i = 0; i < TASKS; i++) {
    const page = pages[i * 7]!;
    const q = page.questions[Math.floor(random() * page.questions.length)]!;
    questions.push({ kind: 'facts', prompt: q.prompt, answer: q.answer });
  }
}
if (KINDS.includes('computation')) {
  // The answers come from the same programs, run with python3 in the sandbox by the tool below.
  for (let i = 0; i < TASKS; i++) {
    const c = computation(random);
    questions.push({ kind: 'computation', prompt: c.prompt, answer: '', code: c.code });
  }
}
const tools = createBuiltinTools(['calculator', 'python', 'web_search'], {
  search: 'local',
  corpusDir: worldDir,
  pythonPool: 4,
});
await resolvePythonAnswers();

async function resolvePythonAnswers(): Promise<void> {
  const resources = new EpisodeResourcePool();
  for (const q of questions) {
    if (q.code === undefined) continue;
    const content = await runTool(tools.tools.python!, { code: q.code }, resources, 'bench');
    q.answer = content.replace(/^stdout:\n/, '').trim();
  }
  await resources.disposeAll();
}

const request: ModelRequest = {
  messages: [{ role: 'user', content: 'What is 48213 * 99172? Answer with the number only.' }],
  tools: [],
  sampling: { temperature: 0, seed: 1, max_tokens: 256 },
};

async function bareTokensPerSecond(rounds: number): Promise<number> {
  const { getLlama, LlamaText, SpecialTokensText } = await import('node-llama-cpp');
  const llama = await getLlama({ gpu: false, build: 'never', progressLogs: false });
  const model = await llama.loadModel({ modelPath: MODEL });
  const context = await model.createContext({ contextSize: 2048, sequences: 1, threads: THREADS });
  const sequence = context.getSequence();
  const prompt = new LlamaText([
    new SpecialTokensText('<|im_start|>'),
    `user\n${request.messages[0]!.content}`,
    new SpecialTokensText('<|im_end|>'),
    '\n',
    new SpecialTokensText('<|im_start|>'),
    'assistant\n',
  ]).tokenize(model.tokenizer);
  let tokens = 0;
  const t0 = performance.now();
  for (let r = 0; r < rounds; r++) {
    await sequence.clearHistory();
    let produced = 0;
    for await (const token of sequence.evaluate([model.tokens.bos!, ...prompt], {
      temperature: 0,
    })) {
      if (model.isEogToken(token) || produced === request.sampling.max_tokens) break;
      produced++;
    }
    tokens += produced;
  }
  const seconds = (performance.now() - t0) / 1000;
  await context.dispose();
  await model.dispose();
  return tokens / seconds;
}

async function providerTokensPerSecond(model: ModelProvider, rounds: number): Promise<number> {
  let tokens = 0;
  const t0 = performance.now();
  for (let r = 0; r < rounds; r++) tokens += (await model.step(request)).usage.completion_tokens;
  return tokens / ((performance.now() - t0) / 1000);
}

async function episodes(model: ModelProvider, concurrency: number, withTools: boolean) {
  const limit = pLimit(concurrency);
  const names = ['calculator', 'python', 'web_search'];
  const t0 = performance.now();
  const records = await Promise.all(
    questions.map((q, i) =>
      limit(() =>
        runEpisode({
          model,
          prompt: q.prompt,
          tools: withTools ? tools.tools : {},
          policy: allowListedPolicy(withTools ? names : []),
          sampling: { temperature: 0, seed: i },
        }),
      ),
    ),
  );
  const seconds = (performance.now() - t0) / 1000;
  const correct: Record<string, number> = {};
  for (const [i, r] of records.entries()) {
    const q = questions[i]!;
    correct[q.kind] = (correct[q.kind] ?? 0) + (r.final_answer?.trim() === q.answer ? 1 : 0);
  }
  return {
    perSecond: records.length / seconds,
    correct,
    tokens: records.reduce((n, r) => n + r.usage.completion_tokens, 0),
  };
}

function scores(correct: Record<string, number>): string {
  return KINDS.map((kind) => `${kind} ${correct[kind] ?? 0}/${TASKS}`).join(', ');
}

const bare = await bareTokensPerSecond(10);
const model = createLlamaCppProvider({ modelPath: MODEL, threads: THREADS });
await model.step(request);
const viaProvider = await providerTokensPerSecond(model, 10);
reportFigures('tiny-model', [
  {
    name: 'tiny-model generation',
    value: viaProvider,
    unit: 'tok/s',
    baseline: bare,
    baselineName: 'bare node-llama-cpp',
  },
]);
console.log(
  `generation: bare node-llama-cpp ${bare.toFixed(0)} tok/s, provider ${viaProvider.toFixed(0)} tok/s, ratio ${(viaProvider / bare).toFixed(2)}`,
);

for (const withTools of [true, false]) {
  const one = await episodes(model, 1, withTools);
  const four = await episodes(model, 4, withTools);
  const arm = withTools ? 'tools on ' : 'tools off';
  console.log(
    `${arm}: ${questions.length} episodes, concurrency 1 ${one.perSecond.toFixed(2)}/s, concurrency 4 ${four.perSecond.toFixed(2)}/s (x${(four.perSecond / one.perSecond).toFixed(2)})`,
  );
  console.log(`  correct (c=1): ${scores(one.correct)}; (c=4): ${scores(four.correct)}`);
  reportFigures('tiny-model', [
    {
      name: `tiny-model episodes, ${arm.trim()}, concurrency 4`,
      value: four.perSecond,
      unit: '/s',
      baseline: one.perSecond,
      baselineName: 'concurrency 1',
    },
  ]);
}
await model.close?.();
await tools.close();
rmSync(worldDir, { recursive: true, force: true });
