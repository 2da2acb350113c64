/**
 * What `assay mcp serve` adds to a tool call: the SDK's own client calls the calculator through
 * `assay mcp serve` over stdio, beside the same call in this process (the tool alone, and the
 * same session object the server uses: validation, policy, dispatch, no transport). Target:
 * p50 added <= 1 ms over in-process. Then python `print(1)` through MCP (target p50 <= 3 ms),
 * beside the python tool and the serve session in-process, in alternating rounds, when Docker
 * and the sandbox image are there (BENCH_PY_CALLS=0 skips it).
 * Needs `npm run build` first: the server is the built `bin/assay.js`.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { EpisodeResourcePool } from '../src/agent/resources.js';
import { ServeSession } from '../src/cli/mcp-serve-session.js';
import { checkPythonSandbox } from '../src/cli/python-availability.js';
import { DEFAULT_LIMITS } from '../src/core/limits.js';
import { parsePolicy } from '../src/policy/load.js';
import { createCalculatorTool } from '../tools/calculator/index.js';
import { toolHints } from '../tools/index.js';
import { createPythonTool } from '../tools/python/index.js';
import { type Figure, reportFigures } from './figures.js';

const CALLS = Number(process.env['BENCH_CALLS'] ?? 1_000);
const PY_CALLS = Number(process.env['BENCH_PY_CALLS'] ?? 200);
const POLICY_TEXT =
  'version: 1\ndefault: deny\nrules:\n  - { id: calc, tool: calculator, effect: allow }\n  - { id: py, tool: python, effect: allow }\n';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

async function latencies(n: number, call: (i: number) => Promise<unknown>) {
  for (let i = 0; i < Math.min(50, n); i++) await call(i);
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    await call(i);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 0.5), p95: percentile(times, 0.95) };
}

/** Latencies of several series over `n` calls each, run in five alternating rounds. */
async function alternating<K extends string>(
  n: number,
  series: Record<K, () => Promise<unknown>>,
): Promise<Record<K, { p50: number; p95: number }>> {
  const keys = Object.keys(series) as K[];
  for (const key of keys) for (let i = 0; i < Math.min(50, n); i++) await series[key]();
  const times = Object.fromEntries(keys.map((key) => [key, [] as number[]])) as Record<K, number[]>;
  const rounds = 5;
  for (let round = 0; round < rounds; round++) {
    for (const key of keys) {
      for (let i = round; i < n; i += rounds) {
        const started = performance.now();
        await series[key]();
        times[key].push(performance.now() - started);
      }
    }
  }
  const stats = (t: number[]) => {
    t.sort((a, b) => a - b);
    return { p50: percentile(t, 0.5), p95: percentile(t, 0.95) };
  };
  return Object.fromEntries(keys.map((key) => [key, stats(times[key])])) as Record<
    K,
    { p50: number; p95: number }
  >;
}

const fmt = (s: { p50: number; p95: number }) =>
  `p50 ${s.p50.toFixed(3)} ms, p95 ${s.p95.toFixed(3)} ms`;
const expression = (i: number) => `${i} * 3 + 7`;

const dir = await mkdtemp(join(tmpdir(), 'assay-bench-mcp-'));
const policyFile = join(dir, 'policy.yaml');
await writeFile(policyFile, POLICY_TEXT);
const policy = parsePolicy(POLICY_TEXT, policyFile);

const calculator = createCalculatorTool();
const resources = new EpisodeResourcePool();
const ctx = {
  signal: new AbortController().signal,
  limits: DEFAULT_LIMITS,
  resources,
  episodeId: 'bench',
  step: 1,
};
const tool = await latencies(CALLS, (i) => calculator.run({ expression: expression(i) }, ctx));
const session = new ServeSession({ tools: { calculator }, hints: toolHints, policy });
const served = {
  signal: new AbortController().signal,
  confirm: null,
  clientName: 'bench',
  progress: null,
};
const inProcess = await latencies(CALLS, (i) =>
  session.callTool('calculator', { expression: expression(i) }, served),
);
await session.close();

/** CPU ms (user + system) a process has used so far, from /proc; null where there is none. */
function processCpuMs(pid: number | null): number | null {
  if (pid === null) return null;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    // utime and stime are fields 14 and 15 of stat, in clock ticks (100 per second on Linux).
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

/**
 * The server's CPU per call over `n` calls: robust where wall times are not (a loaded
 * machine), so a change to the server path shows up here first.
 */
async function serverCpuPerCall(
  pid: number | null,
  n: number,
  call: (i: number) => Promise<unknown>,
) {
  const before = processCpuMs(pid);
  for (let i = 0; i < n; i++) await call(i);
  const after = processCpuMs(pid);
  return before === null || after === null ? null : (after - before) / n;
}

async function mcpClient(tools: string) {
  const client = new Client({ name: 'bench', version: '1' });
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [
      resolve('bin/assay.js'),
      'mcp',
      'serve',
      '--tools',
      tools,
      '--policy',
      policyFile,
      '--trace',
      join(dir, 'trace.jsonl'),
    ],
    stderr: 'ignore',
  });
  await client.connect(transport);
  return { client, pid: transport.pid };
}

const { client, pid } = await mcpClient('calculator');
const calc = (i: number) =>
  client.callTool({ name: 'calculator', arguments: { expression: expression(i) } });
const overMcp = await latencies(CALLS, calc);
const cpuPerCall = await serverCpuPerCall(pid, CALLS, calc);
await client.close();

console.log(`calculator, ${CALLS} calls`);
console.log(`  tool.run in-process        ${fmt(tool)}`);
console.log(`  serve session in-process   ${fmt(inProcess)}`);
console.log(`  mcp serve over stdio       ${fmt(overMcp)}`);
console.log(
  `  added by MCP stdio: p50 ${(overMcp.p50 - inProcess.p50).toFixed(3)} ms over the session, ${(overMcp.p50 - tool.p50).toFixed(3)} ms over the tool (target <= 1 ms); ratio ${(overMcp.p50 / inProcess.p50).toFixed(2)}x`,
);
if (cpuPerCall !== null) {
  console.log(`  server CPU per call        ${cpuPerCall.toFixed(3)} ms (user + system, /proc)`);
}

const figures: Figure[] = [
  {
    name: 'calculator via mcp serve stdio, p50',
    value: overMcp.p50,
    unit: 'ms',
    baseline: inProcess.p50,
    baselineName: 'serve session in-process',
  },
  {
    name: 'calculator, p50 added by mcp serve stdio',
    value: overMcp.p50 - inProcess.p50,
    unit: 'ms',
    target: { on: 'value', op: '<=', limit: 1 },
  },
  ...(cpuPerCall === null
    ? []
    : [{ name: 'calculator, mcp serve CPU per call', value: cpuPerCall, unit: 'ms' }]),
];

const sandbox = PY_CALLS > 0 ? await checkPythonSandbox({}) : null;
if (sandbox === null) {
  console.log('python: skipped (BENCH_PY_CALLS=0)');
} else if (!sandbox.usable) {
  console.log(`python: skipped (${sandbox.problem})`);
} else {
  // The three run in alternating rounds: on a busy machine, load that changes between one
  // series and the next would otherwise show up as cost added by the server.
  const python = createPythonTool();
  const pyResources = new EpisodeResourcePool();
  const pyCtx = { ...ctx, resources: pyResources };
  const pySession = new ServeSession({ tools: { python }, hints: toolHints, policy });
  const { client: pyClient, pid: pyPid } = await mcpClient('python');
  const code = { code: 'print(1)' };
  const series = {
    tool: () => python.run(code, pyCtx),
    session: () => pySession.callTool('python', code, served),
    mcp: () => pyClient.callTool({ name: 'python', arguments: code }),
  };
  const times = await alternating(PY_CALLS, series);
  const pyCpuPerCall = await serverCpuPerCall(pyPid, PY_CALLS, series.mcp);
  await pyClient.close();
  await pySession.close();
  await pyResources.disposeAll();
  await python.close();
  const [pyInProcess, pySessionInProcess, pyOverMcp] = [times.tool, times.session, times.mcp];
  console.log(`python print(1), ${PY_CALLS} calls, in alternating rounds`);
  console.log(`  python tool in-process     ${fmt(pyInProcess)}`);
  console.log(`  serve session in-process   ${fmt(pySessionInProcess)}`);
  console.log(`  mcp serve over stdio       ${fmt(pyOverMcp)} (target p50 <= 3 ms)`);
  console.log(
    `  added by MCP stdio: p50 ${(pyOverMcp.p50 - pySessionInProcess.p50).toFixed(3)} ms over the session, ${(pyOverMcp.p50 - pyInProcess.p50).toFixed(3)} ms over the tool`,
  );
  if (pyCpuPerCall !== null) {
    console.log(
      `  server CPU per call        ${pyCpuPerCall.toFixed(3)} ms (user + system, /proc)`,
    );
  }
  figures.push({
    name: 'python print(1) via mcp serve stdio, p50',
    value: pyOverMcp.p50,
    unit: 'ms',
    baseline: pyInProcess.p50,
    baselineName: 'python tool in-process',
    target: { on: 'value', op: '<=', limit: 3 },
  });
  if (pyCpuPerCall !== null) {
    figures.push({ name: 'python, mcp serve CPU per call', value: pyCpuPerCall, unit: 'ms' });
  }
}
reportFigures('mcp', figures);
