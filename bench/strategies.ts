/**
 * Inference-scaling arms: wall time of one task under `vote:8` beside a single sample, against
 * the scripted HTTP server answering after 50 ms, at `--concurrency 8`. The eight samples run
 * in parallel (or as one request with `n = 8` where the server takes it), so the vote should
 * cost about one sample's wall (target ≤ 1.5×), measured both ways; `plain
 * --samples 8` runs the same eight episodes without a vote, separating the episode path from
 * the vote. The server runs in a child process, as a real model server runs apart: in this
 * process it would take a share of the CPU the eval is measured on (half of it: see
 * docs/strategies.md). This process's CPU time is printed beside each wall. The strategy layer's own cost per task
 * is measured apart, in bench/strategy-layer.ts.
 */
import { fork } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ModelProvider } from '../src/core/provider.js';
import type { Arm } from '../src/eval/run/arms.js';
import { runEval } from '../src/eval/run/runner.js';
import { loadSuite, type Suite } from '../src/eval/suite.js';
import { createOpenAIProvider } from '../src/model/openai-provider.js';
import { allowListedPolicy } from '../src/policy/builtin.js';
import { startScriptedServer } from '../src/testing.js';
import { createBuiltinTools } from '../tools/index.js';
import { reportFigures } from './figures.js';

const DELAY_MS = 50;
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 15);

const answer = (text: string) => ({
  content: `The answer is ${Number(/\d+/.exec(text)![0]) + 1}.`,
});
const promptOf = (messages: { role: string; content?: unknown }[]) =>
  String(messages.find((m) => m.role === 'user')?.content ?? '');

const SERVER_ENV = 'ASSAY_BENCH_STRATEGIES_SERVER';

const serverMode = process.env[SERVER_ENV];
if (serverMode === 'honour' || serverMode === 'ignore') {
  // A model server's process: answers every request after DELAY_MS; honours `n` or not.
  const server = await startScriptedServer({
    n: serverMode,
    script: async (request) => {
      await new Promise((r) => setTimeout(r, DELAY_MS));
      return answer(promptOf(request.messages));
    },
  });
  process.send!(server.url);
  process.once('message', () => void server.close().then(() => process.exit(0)));
} else {
  await main();
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'assay-bench-strategies-'));
  const path = join(dir, 'one.jsonl');
  await writeFile(path, `${JSON.stringify({ id: 't0', prompt: 'What is 0 + 1?', answer: '1' })}\n`);
  const one = await loadSuite(path);
  // This file again, run by tsx as `npm run bench` runs this process, as each server: one
  // that answers `n` (vLLM), one that ignores it (Ollama: K requests per vote).
  const servers = (['honour', 'ignore'] as const).map((mode) =>
    fork(fileURLToPath(import.meta.url), [], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, [SERVER_ENV]: mode },
    }),
  );
  const [withN, withoutN] = await Promise.all(
    servers.map(async (server) => {
      const url = await new Promise<string>((done) =>
        server.once('message', (m) => done(String(m))),
      );
      return createOpenAIProvider({ baseURL: url, model: 'scripted' });
    }),
  );

  let runs = 0;
  const timeRun = async (suite: Suite, model: ModelProvider, arm: Arm, samples: number) => {
    const cpu0 = process.cpuUsage();
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
    const cpu = process.cpuUsage(cpu0);
    if (summary.results.arms[arm.name]?.accuracy !== 1) {
      throw new Error('expected every answer right');
    }
    return { ms, cpu: (cpu.user + cpu.system) / 1000 };
  };

  const single: Arm = { name: 'single', tools: [] };
  const vote: Arm = { name: 'vote8', tools: [], strategy: { name: 'vote', k: 8 } };
  const cases = [
    ['single', withoutN!, single, 1],
    ['vote', withN!, vote, 1],
    ['voteK', withoutN!, vote, 1],
    ['plain', withoutN!, single, 8],
  ] as const;
  type Key = (typeof cases)[number][0];
  const rows = { single: [], vote: [], voteK: [], plain: [] } as Record<Key, number[]>;
  const cpus = { single: [], vote: [], voteK: [], plain: [] } as Record<Key, number[]>;
  // Warm-up: connections, JIT, the math verifier.
  for (const [, model, arm, samples] of cases) await timeRun(one, model, arm, samples);
  for (let i = 0; i < ROUNDS; i++) {
    for (const [key, model, arm, samples] of cases) {
      const { ms, cpu } = await timeRun(one, model, arm, samples);
      rows[key].push(ms);
      cpus[key].push(cpu);
    }
  }
  await Promise.all(
    servers.map((server) => {
      server.send('close');
      return new Promise((done) => server.once('exit', done));
    }),
  );
  await rm(dir, { recursive: true, force: true });

  const sw = median(rows.single);
  const vw = median(rows.vote);
  const kw = median(rows.voteK);
  const line = (label: string, key: Key, note = '') =>
    console.log(
      `  ${label.padEnd(18)} ${median(rows[key]).toFixed(1)} ms wall, ${median(cpus[key]).toFixed(1)} ms cpu${note}`,
    );
  console.log(`one task, ${DELAY_MS} ms per model call, --concurrency 8, median of ${ROUNDS}:`);
  line('single sample', 'single');
  line('plain --samples 8', 'plain', '  (the same 8 episodes, no vote)');
  line('vote:8, n = 8', 'vote', `  (ratio ${(vw / sw).toFixed(2)}x, target ≤ 1.5x)`);
  line('vote:8, 8 requests', 'voteK', `  (ratio ${(kw / sw).toFixed(2)}x; a server ignoring n)`);
  reportFigures('strategies', [
    {
      name: 'vote:8 wall of one task (50 ms server answering n)',
      value: vw,
      unit: 'ms',
      baseline: sw,
      baselineName: 'single sample',
      target: { on: 'ratio', op: '<=', limit: 1.5 },
    },
    {
      name: 'vote:8 wall of one task (50 ms server ignoring n: 8 requests)',
      value: kw,
      unit: 'ms',
      baseline: sw,
      baselineName: 'single sample',
      target: { on: 'ratio', op: '<=', limit: 1.5 },
    },
  ]);
}

function median(xs: number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
}
