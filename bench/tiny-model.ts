/**
 * The bundled tiny model in process: generation speed of the provider against a bare
 * node-llama-cpp evaluation loop on the same prompt, then whole calculator episodes (tools on
 * and off) at concurrency 1 and 4, with their accuracy on held-out questions.
 *
 *   npx tsx bench/tiny-model.ts            (BENCH_TASKS=40 BENCH_THREADS=2 by default)
 */
import pLimit from 'p-limit';
import { type ArithmeticQuestion, arithmeticQuestion } from '../examples/tiny-model/questions.js';
import { runEpisode } from '../src/agent/episode.js';
import { seededRandom } from '../src/eval/prng.js';
import { createLlamaCppProvider, defaultModelPath } from '../src/model/llama-cpp-provider.js';
import type { ModelProvider, ModelRequest } from '../src/model/provider.js';
import { allowListedPolicy } from '../src/policy/builtin.js';
import { createCalculatorTool } from '../tools/calculator/index.js';

const TASKS = Number(process.env['BENCH_TASKS'] ?? 40);
const THREADS = Number(process.env['BENCH_THREADS'] ?? 2);
// Seed 1 made the training data; 4242 draws questions the model has not seen.
const questions: ArithmeticQuestion[] = [];
const random = seededRandom(4242);
for (let i = 0; i < TASKS; i++) questions.push(arithmeticQuestion(random));

const request: ModelRequest = {
  messages: [{ role: 'user', content: 'What is 48213 * 99172? Answer with the number only.' }],
  tools: [],
  sampling: { temperature: 0, seed: 1, max_tokens: 256 },
};

async function bareTokensPerSecond(rounds: number): Promise<number> {
  const { getLlama, LlamaText, SpecialTokensText } = await import('node-llama-cpp');
  const llama = await getLlama({ gpu: false, build: 'never', progressLogs: false });
  const model = await llama.loadModel({ modelPath: defaultModelPath() });
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

async function episodes(model: ModelProvider, concurrency: number, tools: boolean) {
  const limit = pLimit(concurrency);
  const calculator = createCalculatorTool();
  const t0 = performance.now();
  const records = await Promise.all(
    questions.map((q, i) =>
      limit(() =>
        runEpisode({
          model,
          prompt: q.prompt,
          tools: tools ? { calculator } : {},
          policy: allowListedPolicy(tools ? ['calculator'] : []),
          sampling: { temperature: 0, seed: i },
        }),
      ),
    ),
  );
  const seconds = (performance.now() - t0) / 1000;
  const correct = records.filter((r, i) => r.final_answer?.trim() === questions[i]!.answer).length;
  return {
    perSecond: records.length / seconds,
    correct,
    tokens: records.reduce((n, r) => n + r.usage.completion_tokens, 0),
  };
}

const bare = await bareTokensPerSecond(10);
const model = createLlamaCppProvider({ modelPath: defaultModelPath(), threads: THREADS });
await model.step(request);
const viaProvider = await providerTokensPerSecond(model, 10);
console.log(
  `generation: bare node-llama-cpp ${bare.toFixed(0)} tok/s, provider ${viaProvider.toFixed(0)} tok/s, ratio ${(viaProvider / bare).toFixed(2)}`,
);

for (const tools of [true, false]) {
  const one = await episodes(model, 1, tools);
  const four = await episodes(model, 4, tools);
  const arm = tools ? 'tools on ' : 'tools off';
  console.log(
    `${arm}: ${TASKS} episodes, concurrency 1 ${one.perSecond.toFixed(2)}/s, concurrency 4 ${four.perSecond.toFixed(2)}/s (x${(four.perSecond / one.perSecond).toFixed(2)}); accuracy ${one.correct}/${TASKS} (c=1) ${four.correct}/${TASKS} (c=4)`,
  );
}
await model.close?.();
