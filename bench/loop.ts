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
import { reportFigures } from './figures.js';

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
/** One episode as a bare loop over the `openai` client: the floor for the wire's cost. */
async function bareEpisode(): Promise<void> {
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

const assayEpisode = async () => {
  const record = await runEpisode({ model: provider, prompt: 'go', tools: { echo }, policy });
  if (record.outcome.status !== 'completed')
    throw new Error(`HTTP episode: ${record.outcome.status}`);
};

/** Wall and CPU (client and server share this process) per step of `episodes` episodes. */
async function perStep(episode: () => Promise<void>, episodes: number) {
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < episodes; i++) await episode();
  const used = process.cpuUsage(cpu);
  const steps = episodes * STEPS_PER_EPISODE;
  return {
    wall: (performance.now() - started) / steps,
    cpu: (used.user + used.system) / 1000 / steps,
  };
}

// Both paths are warmed (JIT, connection pool), then measured in alternating rounds so that
// load from other processes hits both alike; medians of the rounds.
await perStep(assayEpisode, 10);
await perStep(bareEpisode, 10);
const ROUNDS = 5;
const perRound = Math.max(4, Math.floor(httpEpisodes / ROUNDS));
const assayRounds: { wall: number; cpu: number }[] = [];
const bareRounds: { wall: number; cpu: number }[] = [];
for (let round = 0; round < ROUNDS; round++) {
  assayRounds.push(await perStep(assayEpisode, perRound));
  bareRounds.push(await perStep(bareEpisode, perRound));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const assayHttp = median(assayRounds.map((r) => r.wall));
const bare = median(bareRounds.map((r) => r.wall));
const assayCpu = median(assayRounds.map((r) => r.cpu));
const bareCpu = median(bareRounds.map((r) => r.cpu));
await rm(dir, { recursive: true, force: true });

console.log(
  `steps per episode: ${STEPS_PER_EPISODE}; in-process episodes: ${EPISODES}; HTTP: ${ROUNDS} alternating rounds of ${perRound} episodes (medians)`,
);
console.log(`assay loop, in-process model, no trace      ${(loopOnly * 1000).toFixed(1)} µs/step`);
console.log(
  `assay loop, in-process model, trace+fsync   ${(loopWithTrace * 1000).toFixed(1)} µs/step  (target < 500 µs)`,
);
console.log(`assay loop over HTTP (scripted server)      ${assayHttp.toFixed(3)} ms/step`);
console.log(`bare openai client loop, same server        ${bare.toFixed(3)} ms/step`);
console.log(`ratio assay/bare over HTTP                  ${(assayHttp / bare).toFixed(2)}x`);
console.log(
  `CPU per step over HTTP (client + server)    assay ${assayCpu.toFixed(3)} ms, bare ${bareCpu.toFixed(3)} ms, ratio ${(assayCpu / bareCpu).toFixed(2)}x`,
);
reportFigures('loop', [
  {
    name: 'loop step, in-process model, trace+fsync',
    value: loopWithTrace * 1000,
    unit: 'µs',
    baseline: loopOnly * 1000,
    baselineName: 'no trace',
    target: { on: 'value', op: '<=', limit: 500 },
  },
  {
    name: 'loop step over HTTP (scripted server)',
    value: assayHttp,
    unit: 'ms',
    baseline: bare,
    baselineName: 'bare openai loop',
    target: { on: 'ratio', op: '<=', limit: 1.15 },
  },
  {
    name: 'loop step over HTTP, CPU (client + server)',
    value: assayCpu,
    unit: 'ms',
    baseline: bareCpu,
    baselineName: 'bare openai loop',
  },
]);
