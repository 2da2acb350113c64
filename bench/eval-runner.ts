/**
 * Runner overhead: calculator-only episodes with an instant in-process scripted model, scored
 * and written to traces.jsonl (fsync on), at concurrency 32 beside the same episodes run one
 * by one, in the same process. Prints episodes per second and the ratio.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runEval } from '../src/eval/run/runner.js';
import { loadSuite } from '../src/eval/suite.js';
import { allowListedPolicy } from '../src/policy/builtin.js';
import { calculatorScript, createScriptedModel } from '../src/testing.js';
import { createBuiltinTools } from '../tools/index.js';
import { reportFigures } from './figures.js';

const TASKS = Number(process.env['BENCH_TASKS'] ?? 250);
const dir = await mkdtemp(join(tmpdir(), 'assay-bench-eval-'));
const suitePath = join(dir, 'suite.jsonl');
const lines: string[] = [];
for (let i = 0; i < TASKS; i++) {
  const a = 1000 + i;
  const b = 7919 + 3 * i;
  lines.push(
    JSON.stringify({ id: `t${i}`, prompt: `What is ${a} * ${b}?`, answer: String(a * b) }),
  );
}
await writeFile(suitePath, `${lines.join('\n')}\n`);
const suite = await loadSuite(suitePath);
const model = createScriptedModel(calculatorScript());
const policy = allowListedPolicy(['calculator']);

async function measure(concurrency: number): Promise<number> {
  const started = performance.now();
  const summary = await runEval({
    suite,
    arms: [{ name: 'tools', tools: ['calculator'] }],
    samples: 1,
    concurrency,
    seed: 0,
    model,
    sampling: {},
    policy,
    createTools: (names) => createBuiltinTools(names as ['calculator']),
    outDir: join(dir, `c${concurrency}`),
    resume: false,
  });
  const seconds = (performance.now() - started) / 1000;
  const accuracy = summary.results.arms['tools']?.accuracy;
  if (accuracy !== 1) throw new Error(`expected every episode correct, got accuracy ${accuracy}`);
  return TASKS / seconds;
}

await measure(8); // warm-up: module loading, mathjs set-up, JIT
const serial = await measure(1);
const parallel = await measure(32);
await rm(dir, { recursive: true, force: true });
console.log(
  `episodes: ${TASKS} (2 model steps and 1 calculator call each; scored; traces fsynced)`,
);
console.log(`concurrency 1   ${serial.toFixed(0)} episodes/s`);
console.log(`concurrency 32  ${parallel.toFixed(0)} episodes/s  (target ≥ 500/s)`);
console.log(`ratio           ${(parallel / serial).toFixed(2)}x`);
reportFigures('eval-runner', [
  {
    name: 'eval episodes at concurrency 32',
    value: parallel,
    unit: '/s',
    baseline: serial,
    baselineName: 'concurrency 1',
    target: { on: 'value', op: '>=', limit: 500 },
  },
]);
