/**
 * Agent-loop overhead per step. (1) assay's loop with an instant in-process scripted model and
 * an instant tool, trace write (fsync) included: the loop's own cost. (2) assay's loop over
 * HTTP against the scripted server, beside (3) a bare loop calling the `openai` client against
 * the same server, as a ratio: what the loop adds on top of the wire.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { z } from 'zod';
import { runEpisode } from '../src/agent/episode.js';
import { defineTool } from '../src/core/tool.js';
import { createOpenAIProvider } from '../src/model/openai-provider.js';
import { allowListedPolicy } from '../src/policy/builtin.js';
import { createScriptedModel, type Script, startScriptedServer } from '../src/testing.js';
import { TraceWriter } from '../src/trace/writer.js';

const EPISODES = Number(process.env['BENCH_EPISODES'] ?? 200);
const STEPS_PER_EPISODE = 8;

const echo = defineTool({
  name: 'echo',
  description: 'Echoes its text.',
  inputSchema: z.strictObject({ text: z.string() }),
  async run(args) {
    return { ok: true, content: args.text };
  },
});

/** Calls the tool with a fresh argument until STEPS_PER_EPISODE - 1 calls, then answers. */
const script: Script = (request) => {
  const calls = request.messages.filter((m) => m.role === 'tool').length;
  if (calls >= STEPS_PER_EPISODE - 1) return { content: `done after ${calls} calls` };
  return { tool_calls: [{ name: 'echo', arguments: { text: `call ${calls}` } }] };
};

const dir = await mkdtemp(join(tmpdir(), 'assay-bench-loop-'));
const policy = allowListedPolicy(['echo']);

async function assayLoop(
  model: ReturnType<typeof createScriptedModel>,
  writer: TraceWriter | null,
) {
  const started = performance.now();
  for (let i = 0; i < EPISODES; i++) {
    const record = await runEpisode({ model, prompt: 'go', tools: { echo }, policy });
    if (record.outcome.status !== 'completed')
      throw new Error(`episode ${i}: ${record.outcome.status}`);
    if (writer) await writer.append(record);
  }
  return (performance.now() - started) / (EPISODES * STEPS_PER_EPISODE);
}

const inProcess = createScriptedModel(script);
await assayLoop(inProcess, null);
const writer = await TraceWriter.open(join(dir, 'bench.jsonl'));
const loopOnly = await assayLoop(inProcess, null);
const loopWithTrace = await assayLoop(inProcess, writer);
await writer.close();

await using server = await startScriptedServer({ script });
const provider = createOpenAIProvider({ baseURL: server.url, model: 'scripted' });
const httpEpisodes = Math.max(20, Math.floor(EPISODES / 4));
const startedHttp = performance.now();
for (let i = 0; i < httpEpisodes; i++) {
  await runEpisode({ model: provider, prompt: 'go', tools: { echo }, policy });
}
const assayHttp = (performance.now() - startedHttp) / (httpEpisodes * STEPS_PER_EPISODE);

const client = new OpenAI({ baseURL: server.url, apiKey: 'x', maxRetries: 0 });
const tools = [
  {
    type: 'function' as const,
    function: {
      name: 'echo',
      description: 'Echoes its text.',
      parameters: z.toJSONSchema(echo.inputSchema),
    },
  },
];
const startedBare = performance.now();
for (let i = 0; i < httpEpisodes; i++) {
  const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'go' }];
  for (;;) {
    const stream = await client.chat.completions.create({
      model: 'scripted',
      messages,
      tools,
      stream: true,
    });
    let content = '';
    const calls: { id: string; name: string; args: string }[] = [];
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta;
      content += delta?.content ?? '';
      for (const tc of delta?.tool_calls ?? []) {
        calls[tc.index] ??= { id: tc.id ?? `c${tc.index}`, name: '', args: '' };
        const slot = calls[tc.index]!;
        slot.name += tc.function?.name ?? '';
        slot.args += tc.function?.arguments ?? '';
      }
    }
    if (calls.length === 0) break;
    messages.push({
      role: 'assistant',
      content: content || null,
      tool_calls: calls.map((c) => ({
        id: c.id,
        type: 'function',
        function: { name: c.name, arguments: c.args },
      })),
    });
    for (const c of calls) {
      const args = JSON.parse(c.args) as { text: string };
      messages.push({ role: 'tool', tool_call_id: c.id, content: args.text });
    }
  }
}
const bare = (performance.now() - startedBare) / (httpEpisodes * STEPS_PER_EPISODE);
await rm(dir, { recursive: true, force: true });

console.log(
  `steps per episode: ${STEPS_PER_EPISODE}; in-process episodes: ${EPISODES}; HTTP episodes: ${httpEpisodes}`,
);
console.log(`assay loop, in-process model, no trace      ${(loopOnly * 1000).toFixed(1)} µs/step`);
console.log(
  `assay loop, in-process model, trace+fsync   ${(loopWithTrace * 1000).toFixed(1)} µs/step  (target < 500 µs)`,
);
console.log(`assay loop over HTTP (scripted server)      ${assayHttp.toFixed(3)} ms/step`);
console.log(`bare openai client loop, same server        ${bare.toFixed(3)} ms/step`);
console.log(`ratio assay/bare over HTTP                  ${(assayHttp / bare).toFixed(2)}x`);
