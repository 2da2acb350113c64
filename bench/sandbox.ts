/**
 * The python sandbox's latencies beside the two designs the anchors use, on the same engine,
 * image and hardening in one process: a persistent runner behind an attached stdin/stdout
 * (assay), a new container per call (gpt-oss's reference tool), and `docker exec` per call in
 * a long-lived container (SWE-ReX, Inspect). Needs a Docker engine and `assay sandbox build`.
 *
 * Run: npx tsx bench/sandbox.ts   (BENCH_SCALE=2 doubles every sample count)
 */
import type { Readable } from 'node:stream';
import { DockerEngine } from '../sandbox/docker/engine.js';
import { containerSpec, DEFAULT_CONTAINER_LIMITS } from '../sandbox/docker/hardening.js';
import { ownerLabels } from '../sandbox/docker/labels.js';
import { SandboxManager } from '../sandbox/docker/sandbox-manager.js';
import type { SandboxSession } from '../sandbox/docker/sandbox-session.js';
import { defaultImageName } from '../sandbox/image/recipe.js';
import { reportFigures } from './figures.js';

const SCALE = Number(process.env['BENCH_SCALE'] ?? 1);
const n = (count: number) => Math.max(3, Math.round(count * SCALE));
const CODE = 'print(1)';
const THROUGHPUT_MS = 5_000;

interface Stats {
  p50: number;
  p95: number;
  p99: number;
  n: number;
}

function stats(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), n: sorted.length };
}

async function timed(count: number, once: () => Promise<void>): Promise<Stats> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    await once();
    samples.push(performance.now() - start);
  }
  return stats(samples);
}

/** Calls per second with `workers` loops running `once` side by side for a fixed time. */
async function throughput(
  workers: number,
  once: (worker: number) => Promise<void>,
  ms = THROUGHPUT_MS,
): Promise<number> {
  let calls = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      while (performance.now() - start < ms) {
        await once(w);
        calls++;
      }
    }),
  );
  return (calls / (performance.now() - start)) * 1000;
}

const engine = new DockerEngine({ concurrency: 8 });
const image = defaultImageName();
const limits = DEFAULT_CONTAINER_LIMITS;

async function readAll(stream: Readable): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += String(chunk);
  return text;
}

/** gpt-oss: a fresh hardened container runs the code and is removed. */
async function containerPerCall(): Promise<void> {
  const spec = containerSpec({ image, limits, labels: ownerLabels('bench', 'bench') });
  const id = await engine.createContainer({
    ...spec,
    Cmd: ['python3', '-c', CODE],
    OpenStdin: false,
    StdinOnce: false,
    AttachStdin: false,
    // This design reads the output back from the container log, which assay's spec turns off.
    HostConfig: { ...spec.HostConfig, LogConfig: { Type: 'json-file', Config: {} } },
  });
  try {
    await engine.startContainer(id);
    await engine.waitContainer(id);
    const logs = (await engine.docker
      .getContainer(id)
      .logs({ stdout: true, stderr: true })) as Buffer;
    if (!logs.toString('latin1').includes('1'))
      throw new Error('container-per-call printed nothing');
  } finally {
    await engine.removeContainer(id);
  }
}

/** SWE-ReX / Inspect: one long-lived container, one `docker exec` per call. */
async function startExecTarget(): Promise<string> {
  const spec = containerSpec({ image, limits, labels: ownerLabels('bench-exec', 'bench') });
  const id = await engine.createContainer({
    ...spec,
    Cmd: ['sleep', 'infinity'],
    OpenStdin: false,
    StdinOnce: false,
  });
  await engine.startContainer(id);
  return id;
}

async function execPerCall(id: string): Promise<void> {
  const container = engine.docker.getContainer(id);
  const exec = await engine.call('exec create', () =>
    container.exec({ Cmd: ['python3', '-c', CODE], AttachStdout: true, AttachStderr: true }),
  );
  const stream = (await engine.call('exec start', () =>
    exec.start({ hijack: true, stdin: false }),
  )) as Readable;
  const output = await readAll(stream);
  const info = await engine.call('exec inspect', () => exec.inspect());
  if (info.ExitCode !== 0 || !output.includes('1')) throw new Error('exec-per-call failed');
}

const fmt = (ms: number) => (ms < 10 ? ms.toFixed(2) : ms.toFixed(0)).padStart(8);
const row = (label: string, s: Stats, base?: Stats) =>
  `${label.padEnd(42)} ${fmt(s.p50)} ${fmt(s.p95)} ${fmt(s.p99)} ${String(s.n).padStart(5)}${
    base ? `   ${(s.p50 / base.p50).toFixed(0).padStart(6)}x` : ''
  }`;

async function main(): Promise<void> {
  if (!(await engine.inspectImage(image)))
    throw new Error(`${image} is missing; run \`assay sandbox build\``);
  console.log(
    `engine ${engine.endpoint}, image ${image}, ${limits.memoryMb} MB, ${limits.cpus} CPU per sandbox\n`,
  );

  // Cold: create, verify, attach, start, ready line; no pool.
  const cold = new SandboxManager({ engine, poolSize: 0, preload: [] });
  await cold.start();
  const coldStats = await timed(n(15), async () => {
    const c = await cold.acquireContainer();
    await c.dispose();
  });
  await cold.close();

  // Warm pool: the refill is awaited between samples, so each acquire finds a ready container.
  const warm = new SandboxManager({ engine, poolSize: 1, preload: [] });
  await warm.prewarm();
  const acquireSamples: number[] = [];
  for (let i = 0; i < n(15); i++) {
    await warm.poolSettled();
    const start = performance.now();
    const c = await warm.acquireContainer();
    acquireSamples.push(performance.now() - start);
    await c.dispose();
  }
  const acquireStats = stats(acquireSamples);

  // Round trip in a live session, through the whole path (framing, zod, output sentinels).
  const session = await warm.openSession();
  const run = (s: SandboxSession) => async () => {
    const o = await s.run(CODE, { timeoutMs: 10_000, outputBytes: 16_384 });
    if (o.stdout.head !== '1\n') throw new Error('round trip printed the wrong thing');
  };
  await timed(50, run(session));
  const roundTrip = await timed(n(1000), run(session));
  const pingStats = await timed(n(1000), () => session.container!.ping());

  const sessions = [session, ...(await Promise.all([1, 2, 3].map(() => warm.openSession())))];
  const ownRate = await throughput(4, (w) => run(sessions[w]!)());
  await Promise.all(sessions.map((s) => s.close()));
  await warm.close();

  const execTargets = await Promise.all([1, 2, 3, 4].map(() => startExecTarget()));
  try {
    await timed(5, () => execPerCall(execTargets[0]!));
    const execStats = await timed(n(60), () => execPerCall(execTargets[0]!));
    const execRate = await throughput(4, (w) => execPerCall(execTargets[w]!));
    const perCallStats = await timed(n(12), containerPerCall);
    const perCallRate = await throughput(4, () => containerPerCall(), THROUGHPUT_MS);

    console.log(
      `${'ms'.padEnd(42)} ${'p50'.padStart(8)} ${'p95'.padStart(8)} ${'p99'.padStart(8)} ${'n'.padStart(5)}   vs warm`,
    );
    console.log(row('assay: warm round trip, print(1)', roundTrip, roundTrip));
    console.log(row('assay: channel ping (no code run)', pingStats));
    console.log(row('docker exec per call (SWE-ReX, Inspect)', execStats, roundTrip));
    console.log(row('container per call (gpt-oss)', perCallStats, roundTrip));
    console.log(row('assay: cold session, create -> ready', coldStats));
    console.log(row('assay: warm-pool acquire', acquireStats));
    console.log('\nexecutions/s, 4 concurrent sessions');
    console.log(`  assay (persistent runner)    ${ownRate.toFixed(0).padStart(8)}`);
    console.log(
      `  docker exec per call         ${execRate.toFixed(1).padStart(8)}   assay is ${(ownRate / execRate).toFixed(0)}x`,
    );
    console.log(
      `  container per call           ${perCallRate.toFixed(1).padStart(8)}   assay is ${(ownRate / perCallRate).toFixed(0)}x`,
    );
    console.log(
      '\ntargets: warm p50 <= 2 ms, >= 30x exec, >= 100x container; acquire <= 5 ms; cold <= 500 ms',
    );
    console.log(
      `measured: warm p50 ${roundTrip.p50.toFixed(2)} ms, ${(execStats.p50 / roundTrip.p50).toFixed(0)}x exec, ${(perCallStats.p50 / roundTrip.p50).toFixed(0)}x container; acquire p50 ${acquireStats.p50.toFixed(2)} ms; cold p50 ${coldStats.p50.toFixed(0)} ms`,
    );
    const warmBaseline = { baseline: roundTrip.p50, baselineName: 'assay warm p50' };
    reportFigures('sandbox', [
      {
        name: 'python sandbox warm round trip, p50',
        value: roundTrip.p50,
        unit: 'ms',
        target: { on: 'value', op: '<=', limit: 2 },
      },
      {
        name: 'docker exec per call, p50',
        value: execStats.p50,
        unit: 'ms',
        ...warmBaseline,
        target: { on: 'ratio', op: '>=', limit: 30 },
      },
      {
        name: 'container per call, p50',
        value: perCallStats.p50,
        unit: 'ms',
        ...warmBaseline,
        target: { on: 'ratio', op: '>=', limit: 100 },
      },
      {
        name: 'warm-pool acquire, p50',
        value: acquireStats.p50,
        unit: 'ms',
        target: { on: 'value', op: '<=', limit: 5 },
      },
      {
        name: 'cold session create -> ready, p50',
        value: coldStats.p50,
        unit: 'ms',
        target: { on: 'value', op: '<=', limit: 500 },
      },
    ]);
  } finally {
    await Promise.all(execTargets.map((id) => engine.removeContainer(id)));
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
