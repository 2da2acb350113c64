import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type TraceRecord, traceRecordSchema } from '../../src/trace/schema.js';
import { runCli } from '../support/cli.js';
import { requireRedis } from '../support/redis.js';
import { calculatorScript, type Script, startScriptedServer } from '../support/scripted-server.js';

const SUITE = join(import.meta.dirname, '..', 'fixtures', 'suites', 'arith-small.jsonl');
const BIN = join(import.meta.dirname, '..', '..', 'bin', 'assay.js');
const redis = await requireRedis();
// A database of its own, so that other users of the test server never see these runs.
const QUEUE = `${redis.url}/7`;

/** Uses the calculator when it is offered; without tools it always answers 42. */
function abScript(delayMs: number): Script {
  const withTools = calculatorScript();
  return async (request) => {
    await new Promise((r) => setTimeout(r, delayMs));
    if (request.tools.length === 0) return { content: 'The answer is 42.' };
    return withTools(request);
  };
}

interface Spawned {
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<number | null>;
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

function startWorker(name: string, modelUrl: string): Spawned {
  const args = [
    ...['worker', '--queue', QUEUE, '--name', name, '--concurrency', '2'],
    ...['--lock-duration', '2000', '--base-url', modelUrl, '--model', 'm', '--tools', 'calculator'],
  ];
  // With the flag there is no snapshot rerun: SIGKILL reaches the process doing the work.
  const child = spawn(process.execPath, ['--no-node-snapshot', BIN, ...args], {
    env: { ...process.env, ASSAY_MODEL: '', ASSAY_BASE_URL: '' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  return { child, stderr: () => stderr, exited };
}

async function records(dir: string): Promise<TraceRecord[]> {
  const text = await readFile(join(dir, 'traces.jsonl'), 'utf8');
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => traceRecordSchema.parse(JSON.parse(l)));
}

async function until(check: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

const evalArgs = (modelUrl: string, out: string) => [
  ...['eval', SUITE, '--base-url', modelUrl, '--model', 'm', '--tools', 'calculator'],
  ...['--samples', '2', '--seed', '7', '--out', out],
];

describe.skipIf(!redis.available)('assay eval --queue with a real redis-server', () => {
  it('keeps every (task, arm, sample) exactly once and the local accuracy when a worker is killed mid-episode', async () => {
    await using server = await startScriptedServer({ script: abScript(150) });
    const dir = await mkdtemp(join(tmpdir(), 'assay-queue-'));
    const a = startWorker('worker-a', server.url);
    const b = startWorker('worker-b', server.url);
    const coordinator = runCli([...evalArgs(server.url, join(dir, 'queued')), '--queue', QUEUE], {
      timeoutMs: 100_000,
    });
    // Killed while it holds jobs: it has started some and the model server is busy.
    await until(() => /job \S+ started/.test(a.stderr()) && server.requests.length >= 6, 60_000);
    a.child.kill('SIGKILL');
    const startedByA = [...a.stderr().matchAll(/job (\S+) started/g)].map((m) => m[1] ?? '');
    const result = await coordinator;
    expect(result.stderr).not.toMatch(/error/i);
    expect(result.code).toBe(0);

    const queued = await records(join(dir, 'queued'));
    const keys = queued.map((r) => JSON.stringify([r.task_id, r.arm, r.sample_index]));
    expect(keys).toHaveLength(24);
    expect(new Set(keys).size).toBe(24);
    // Jobs worker-a had started and never finished were run again by worker-b.
    const byJob = new Map(
      queued.map((r) => [(r.runtime['worker'] as { bullmq_job: string }).bullmq_job, r]),
    );
    const redelivered = startedByA.filter(
      (id) =>
        (byJob.get(id)?.runtime['worker'] as { name?: string } | undefined)?.name === 'worker-b',
    );
    expect(redelivered.length).toBeGreaterThan(0);
    const results = JSON.parse(await readFile(join(dir, 'queued', 'results.json'), 'utf8'));
    expect(results.queue).toEqual({ duplicates_dropped: expect.any(Number) });

    const local = await runCli(evalArgs(server.url, join(dir, 'local')), { timeoutMs: 100_000 });
    expect(local.code).toBe(0);
    const localResults = JSON.parse(await readFile(join(dir, 'local', 'results.json'), 'utf8'));
    for (const arm of ['tools', 'no-tools']) {
      expect(results.arms[arm].n).toBe(localResults.arms[arm].n);
      expect(results.arms[arm].accuracy).toBe(localResults.arms[arm].accuracy);
    }
    expect(results.arms.tools.accuracy).toBe(1);

    // SIGTERM: worker-b finishes what it runs and exits cleanly.
    b.child.kill('SIGTERM');
    expect(await b.exited).toBe(0);
    expect(b.stderr()).toMatch(/ran \d+ episodes/);
  });

  it('exits 3 naming the Redis URL, never its password, when no Redis answers', async () => {
    await using server = await startScriptedServer({ script: abScript(0) });
    const dir = await mkdtemp(join(tmpdir(), 'assay-queue-'));
    const result = await runCli(
      [...evalArgs(server.url, join(dir, 'run')), '--queue', 'redis://me:s3cret@127.0.0.1:1/2'],
      { timeoutMs: 60_000 },
    );
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('redis://me:***@127.0.0.1:1/2');
    expect(result.stderr + result.stdout).not.toContain('s3cret');
  });
});
