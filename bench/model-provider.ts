/**
 * The cost of assay's OpenAI-compatible provider (retry wrapper, idle timer, accumulator,
 * normalization) over a bare `openai` client call, both against the same scripted server on
 * 127.0.0.1, streaming and not. Prints per-step times and the ratio.
 */
import OpenAI from 'openai';
import type { ModelRequest } from '../src/core/provider.js';
import { createOpenAIProvider } from '../src/model/openai-provider.js';
import { startScriptedServer } from '../src/testing.js';
import { reportFigures } from './figures.js';

const STEPS = Number(process.env['BENCH_STEPS'] ?? 100);
const ROUNDS = 7;
const WARMUP = 50;

const reply = {
  content: 'Let me compute that. '.repeat(10),
  tool_calls: [{ name: 'calculator', arguments: { expression: '123456789 * 987654321 + 2^64' } }],
};
const request: ModelRequest = {
  messages: [{ role: 'user', content: 'What is 123456789 * 987654321?' }],
  tools: [
    {
      name: 'calculator',
      description: 'Evaluates arithmetic.',
      parameters: { type: 'object', properties: { expression: { type: 'string' } } },
    },
  ],
  sampling: {},
};

/** Median ms per step over interleaved rounds, so load from other processes hits both alike. */
async function compare(
  runs: Record<string, () => Promise<unknown>>,
): Promise<Record<string, number>> {
  const samples: Record<string, number[]> = {};
  for (const [label, run] of Object.entries(runs)) {
    samples[label] = [];
    for (let i = 0; i < WARMUP; i++) await run();
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const [label, run] of Object.entries(runs)) {
      const started = performance.now();
      for (let i = 0; i < STEPS; i++) await run();
      samples[label]?.push((performance.now() - started) / STEPS);
    }
  }
  const medians: Record<string, number> = {};
  for (const [label, values] of Object.entries(samples)) {
    const sorted = [...values].sort((a, b) => a - b);
    medians[label] = sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
    console.log(`${label.padEnd(36)} ${medians[label]?.toFixed(3)} ms/step (median of ${ROUNDS})`);
  }
  return medians;
}

await using server = await startScriptedServer({ script: () => reply });
const client = new OpenAI({ baseURL: server.url, apiKey: 'x', maxRetries: 0 });
const body = {
  model: 'scripted',
  messages: [...request.messages],
  tools: request.tools.map((tool) => ({ type: 'function' as const, function: tool })),
};

for (const stream of [true, false]) {
  const provider = createOpenAIProvider({ baseURL: server.url, model: 'scripted', stream });
  const bare = `bare openai client (stream=${stream})`;
  const ours = `assay provider (stream=${stream})`;
  const medians = await compare({
    [bare]: async () => {
      if (!stream) {
        await client.chat.completions.create({ ...body, stream: false });
        return;
      }
      const events = await client.chat.completions.create({ ...body, stream: true });
      for await (const _ of events);
    },
    [ours]: () => provider.step(request),
  });
  const ratio = (medians[ours] ?? Number.NaN) / (medians[bare] ?? Number.NaN);
  console.log(`ratio provider/bare (stream=${stream})      ${ratio.toFixed(2)}x`);
  reportFigures('model-provider', [
    {
      name: `provider step (stream=${stream})`,
      value: medians[ours] ?? Number.NaN,
      unit: 'ms',
      baseline: medians[bare] ?? Number.NaN,
      baselineName: 'bare openai client',
    },
  ]);
}
