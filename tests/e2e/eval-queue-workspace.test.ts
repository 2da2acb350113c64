import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { requireDocker } from '../support/docker.js';
import { requireRedis } from '../support/redis.js';
import { type ScriptRequest, startScriptedServer } from '../support/scripted-server.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'assay.js');
const CODING = join(import.meta.dirname, '..', '..', 'examples', 'suites', 'coding');
const docker = await requireDocker();
const redis = await requireRedis();
const QUEUE = `${redis.url}/5`;

/** Fixes stats.py with bash on the mean task; answers "done" on every other task. */
function fixMean(request: ScriptRequest) {
  const prompt = request.messages.find((m) => m.role === 'user')?.content ?? '';
  if (request.messages.some((m) => m.role === 'tool') || !prompt.startsWith('stats.mean'))
    return { content: 'done' };
  return {
    tool_calls: [
      { name: 'bash', arguments: { command: "sed -i 's/(len(xs) - 1)/len(xs)/' stats.py" } },
    ],
  };
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

function startWorker(args: string[]): () => string {
  // With the flag there is no snapshot rerun: SIGKILL reaches the process doing the work.
  const child = spawn(process.execPath, ['--no-node-snapshot', BIN, 'worker', ...args], {
    env: { ...process.env, ASSAY_MODEL: '', ASSAY_BASE_URL: '' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  return () => stderr;
}

describe.skipIf(!docker.available || !redis.available)(
  'repository tasks on the queue',
  { timeout: 300_000 },
  () => {
    it('ship the workspace and the hidden tests to the workers and grade there as locally', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'assay-queue-ws-'));
      // The hidden tests live in a directory beside the suite, which workers do not have.
      await mkdir(join(dir, 'hidden', 'tests_hidden'), { recursive: true });
      await writeFile(
        join(dir, 'hidden', 'tests_hidden', 'test_stats.py'),
        'from stats import mean\n\n\ndef test_mean():\n    assert mean([1, 2, 3]) == 2\n',
      );
      const command = 'python3 -m pytest -q -p no:cacheprovider tests_hidden';
      const tasks = [
        {
          id: 'mean',
          prompt: 'stats.mean returns the wrong value: mean([1, 2, 3]) should be 2. Fix it.',
          verifier: 'tests',
          workspace: join(CODING, 'py-mean'),
          tests: { command, dir: 'hidden', timeout_s: 60 },
        },
        {
          id: 'untouched',
          prompt: 'Nothing to do here.',
          verifier: 'tests',
          workspace: join(CODING, 'py-mean'),
          tests: { command, dir: 'hidden', timeout_s: 60 },
        },
      ];
      const suite = join(dir, 'suite.jsonl');
      await writeFile(suite, `${tasks.map((t) => JSON.stringify(t)).join('\n')}\n`);
      await using server = await startScriptedServer({ script: fixMean });
      const model = ['--base-url', server.url, '--model', 'm'];
      const logs = ['ws-a', 'ws-b'].map((name) =>
        startWorker([
          ...['--queue', QUEUE, '--name', name, '--concurrency', '1', ...model],
          ...['--tools', 'workspace'],
        ]),
      );
      const out = join(dir, 'run');
      const result = await runCli(
        [
          ...['eval', suite, ...model, '--tools', 'workspace', '--arms', 'bash=bash'],
          ...['--samples', '2', '--out', out, '--queue', QUEUE],
        ],
        { timeoutMs: 280_000 },
      );
      expect(result.code, `${result.stderr}\n${logs.map((l) => l()).join('\n')}`).toBe(0);
      const records = (await readFile(join(out, 'traces.jsonl'), 'utf8'))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(records).toHaveLength(4);
      const byTask = (id: string) => records.filter((r) => r.task_id === id);
      for (const r of byTask('mean')) {
        expect(r).toMatchObject({ reward: 1, workspace: { files_changed: ['stats.py'] } });
      }
      for (const r of byTask('untouched')) {
        expect(r.reward).toBe(0);
        expect(r.verifier.details.outcome).toBe('empty_diff');
      }
      for (const r of records) expect(['ws-a', 'ws-b']).toContain(r.runtime.worker.name);
      // The run's workspace tar is removed from Redis with the run.
      const client = new Redis(QUEUE);
      try {
        expect(await client.keys('assay:workspace:*')).toEqual([]);
      } finally {
        client.disconnect();
      }
    });
  },
);
