/**
 * The `javascript` tool's cost, beside `node:vm` running the same snippets in the same
 * process: (1) warm-context call latency p50/p95 (target p50 <= 1 ms) through the whole tool
 * and through the isolate session alone, (2) the cost of a new isolate (create, first run,
 * dispose) against a new vm context. node:vm is no security boundary; it is the floor for
 * "run a snippet in a separate global", so the ratios say what isolation costs.
 *
 *   npm run bench -- javascript, or node --no-node-snapshot --import tsx bench/javascript.ts
 *   (isolated-vm needs the flag; without it the isolates fail with ISOLATE_FAILED)
 */
import vm from 'node:vm';
import { IsolateSession } from '../sandbox/isolate/isolate-session.js';
import { DEFAULT_LIMITS } from '../src/core/limits.js';
import { createJavascriptTool } from '../tools/javascript/index.js';
import { reportFigures } from './figures.js';

const CALLS = Number(process.env['BENCH_CALLS'] ?? 2_000);
const NEW_CONTEXTS = Number(process.env['BENCH_NEW'] ?? 100);

const SNIPPETS = [
  '1 + 1',
  'counter += 1; counter',
  'JSON.stringify(Array.from({ length: 100 }, (_, i) => i * i)).length',
  'console.log("row", counter); [1, 2, 3].map((x) => x * 2)',
  'globalThis.o = { a: [1, 2, { b: "c" }], d: new Date(0) }; o',
];
const SETUP = 'var counter = 0;';
const LIMITS = { timeoutMs: 5_000, cpuMs: 5_000, outputBytes: 16_384 };

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

async function latencies(
  run: (code: string) => Promise<unknown> | unknown,
): Promise<{ p50: number; p95: number }> {
  for (let i = 0; i < 200; i++) await run(SNIPPETS[i % SNIPPETS.length]!);
  const times: number[] = [];
  for (let i = 0; i < CALLS; i++) {
    const started = performance.now();
    await run(SNIPPETS[i % SNIPPETS.length]!);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 0.5), p95: percentile(times, 0.95) };
}

/** node:vm with the same duties: a console that collects text, a timeout, a JSON copy of the value. */
function vmRunner(): (code: string) => unknown {
  let output = '';
  const context = vm.createContext({
    console: {
      log: (...args: unknown[]) => {
        output += `${args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ')}\n`;
      },
    },
  });
  vm.runInContext(SETUP, context);
  return (code) => {
    output = '';
    const value: unknown = vm.runInContext(code, context, {
      timeout: LIMITS.timeoutMs,
      filename: 'input.js',
    });
    return { output, json: JSON.stringify(value) };
  };
}

const session = await IsolateSession.create({ memoryMb: 128 });
await session.run(SETUP, LIMITS);
const isolate = await latencies((code) => session.run(code, LIMITS));
await session.close();

const tool = createJavascriptTool();
const held = new Map<string, Promise<unknown>>();
const disposers: (() => Promise<void>)[] = [];
const ctx = {
  signal: new AbortController().signal,
  limits: { ...DEFAULT_LIMITS, timeout_ms: LIMITS.timeoutMs },
  resources: {
    acquire<T>(
      key: string,
      create: () => Promise<T>,
      dispose: (value: T) => Promise<void>,
    ): Promise<T> {
      if (!held.has(key)) {
        const value = create();
        held.set(key, value);
        disposers.push(async () => dispose(await value));
      }
      return held.get(key) as Promise<T>;
    },
  },
  episodeId: 'bench',
  step: 1,
};
await tool.run({ code: SETUP }, ctx);
const whole = await latencies((code) => tool.run({ code }, ctx));
for (const dispose of disposers) await dispose();

const nodeVm = await latencies(vmRunner());

async function newIsolateMs(): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < NEW_CONTEXTS; i++) {
    const s = await IsolateSession.create({ memoryMb: 128 });
    await s.run('1 + 1', LIMITS);
    await s.close();
  }
  return (performance.now() - started) / NEW_CONTEXTS;
}

function newVmMs(): number {
  const started = performance.now();
  for (let i = 0; i < NEW_CONTEXTS; i++) {
    const context = vm.createContext({});
    vm.runInContext('1 + 1', context);
  }
  return (performance.now() - started) / NEW_CONTEXTS;
}

await newIsolateMs();
const freshIsolate = await newIsolateMs();
newVmMs();
const freshVm = newVmMs();

const ms = (n: number) => `${n.toFixed(3)} ms`;
console.log(`javascript tool, ${CALLS} warm calls over ${SNIPPETS.length} snippets`);
console.log(`  node:vm (baseline)        p50 ${ms(nodeVm.p50)}  p95 ${ms(nodeVm.p95)}`);
console.log(
  `  IsolateSession.run        p50 ${ms(isolate.p50)}  p95 ${ms(isolate.p95)}  (p50 ${(isolate.p50 / nodeVm.p50).toFixed(1)}x node:vm)`,
);
console.log(
  `  javascript tool run       p50 ${ms(whole.p50)}  p95 ${ms(whole.p95)}  (p50 ${(whole.p50 / nodeVm.p50).toFixed(1)}x node:vm)`,
);
console.log(`  target p50 <= 1 ms for the tool: ${whole.p50 <= 1 ? 'met' : 'NOT met'}`);
console.log(`new context, ${NEW_CONTEXTS} times: create + first run + dispose`);
console.log(`  node:vm createContext     ${ms(freshVm)}`);
console.log(
  `  new isolate               ${ms(freshIsolate)}  (${(freshIsolate / freshVm).toFixed(1)}x node:vm)`,
);
reportFigures('javascript', [
  {
    name: 'javascript tool warm call, p50',
    value: whole.p50,
    unit: 'ms',
    baseline: nodeVm.p50,
    baselineName: 'node:vm',
    target: { on: 'value', op: '<=', limit: 1 },
  },
  {
    name: 'new isolate (create, run, dispose)',
    value: freshIsolate,
    unit: 'ms',
    baseline: freshVm,
    baselineName: 'node:vm context',
  },
]);
