/**
 * Long streamed answers: 64 KB, 512 KB and 2 MB of text streamed by the scripted server in
 * small deltas (a few characters each, as real servers send them), read through assay's
 * OpenAI-compatible provider and through a bare `openai` client loop. Time per answer, the
 * ratio to the bare loop, and µs per KB: a reader that is linear in the answer's length keeps
 * µs/KB flat from row to row. BENCH_LONG_SIZES (KB, comma-separated) picks other sizes.
 */
import OpenAI from 'openai';
import type { ModelRequest } from '../src/core/provider.js';
import { createOpenAIProvider } from '../src/model/openai-provider.js';
import { startScriptedServer } from '../src/testing.js';
import { type Figure, reportFigures } from './figures.js';

const SIZES_KB = (process.env['BENCH_LONG_SIZES'] ?? '64,512,2048')
  .split(',')
  .map((size) => Number(size.trim()))
  .filter((size) => Number.isFinite(size) && size > 0);
const SENTENCE = 'The quick brown fox jumps over the lazy dog, then rests a while. ';

let answer = '';
await using server = await startScriptedServer({ script: () => ({ content: answer }) });
const provider = createOpenAIProvider({ baseURL: server.url, model: 'scripted', maxRetries: 0 });
const client = new OpenAI({ baseURL: server.url, apiKey: 'x', maxRetries: 0 });
const request: ModelRequest = {
  messages: [{ role: 'user', content: 'Write at length.' }],
  tools: [],
  sampling: {},
};

async function viaAssay(): Promise<string> {
  return (await provider.step(request)).text;
}

async function viaBare(): Promise<string> {
  const stream = await client.chat.completions.create({
    model: 'scripted',
    messages: [{ role: 'user', content: 'Write at length.' }],
    stream: true,
  });
  const parts: string[] = [];
  for await (const chunk of stream) parts.push(chunk.choices[0]?.delta?.content ?? '');
  return parts.join('');
}

/** Median wall ms of `rounds` runs, each checked to return the whole answer. */
async function time(run: () => Promise<string>, rounds: number): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    const text = await run();
    samples.push(performance.now() - started);
    if (text !== answer) throw new Error(`got ${text.length} chars, expected ${answer.length}`);
  }
  return samples.sort((a, b) => a - b)[Math.floor(samples.length / 2)]!;
}

answer = SENTENCE.repeat(64);
await time(viaAssay, 20);
await time(viaBare, 20);

const figures: Figure[] = [];
console.log('answer     assay ms   bare ms   ratio   assay µs/KB   bare µs/KB');
for (const kb of SIZES_KB) {
  answer = SENTENCE.repeat(Math.ceil((kb * 1024) / SENTENCE.length)).slice(0, kb * 1024);
  const rounds = kb >= 1024 ? 3 : kb >= 256 ? 5 : 9;
  // Alternate so that load from other processes hits both alike.
  const assayMs: number[] = [];
  const bareMs: number[] = [];
  for (let i = 0; i < rounds; i++) {
    assayMs.push(await time(viaAssay, 1));
    bareMs.push(await time(viaBare, 1));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const assay = median(assayMs);
  const bare = median(bareMs);
  console.log(
    `${`${kb} KB`.padEnd(10)} ${assay.toFixed(1).padStart(8)} ${bare.toFixed(1).padStart(9)} ${(assay / bare).toFixed(2).padStart(6)}x ${((assay * 1000) / kb).toFixed(1).padStart(12)} ${((bare * 1000) / kb).toFixed(1).padStart(12)}`,
  );
  figures.push({
    name: `streamed answer of ${kb} KB`,
    value: assay,
    unit: 'ms',
    baseline: bare,
    baselineName: 'bare openai loop',
    target: { on: 'ratio', op: '<=', limit: 1.15 },
  });
}
reportFigures('long-answer', figures);
