import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { traceRecordSchema } from '../../src/trace/schema.js';
import { runCli } from '../support/cli.js';
import { requireRedis } from '../support/redis.js';
import { type Script, startScriptedServer } from '../support/scripted-server.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'assay.js');
const EVERYTHING = resolve('node_modules/@modelcontextprotocol/server-everything/dist/index.js');
const SUM = 'mcp__everything__get-sum';
const redis = await requireRedis();
const QUEUE = `${redis.url}/6`;

/**
 * Adds the two numbers of the prompt with get-sum when it is offered; else guesses 0. Each
 * reply takes 100 ms, as a model would, so that one worker cannot drain the queue alone.
 */
const sumScript: Script = async (request) => {
  await new Promise((resolve) => setTimeout(resolve, 100));
  const prompt = String(request.messages.find((m) => m.role === 'user')?.content ?? '');
  const [a, b] = (prompt.match(/\d+/g) ?? []).map(Number);
  const tool = request.messages.find((m) => m.role === 'tool');
  if (tool !== undefined) {
    const sum = /is (-?\d+)/.exec(String(tool.content))?.[1] ?? 'unknown';
    return { content: `The answer is ${sum}.` };
  }
  if (!request.tools.some((t) => t.name === SUM)) return { content: 'The answer is 0.' };
  return { tool_calls: [{ name: SUM, arguments: { a, b } }] };
};

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

function startWorker(args: string[]): { stderr: () => string; exited: Promise<number | null> } {
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
  return { stderr: () => stderr, exited: new Promise((r) => child.on('close', r)) };
}

describe.skipIf(!redis.available)('--mcp on the queue', () => {
  it('runs an MCP arm on two workers that each start the MCP servers of their own --mcp file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'assay-queue-mcp-'));
    const config = join(dir, 'mcp.json');
    await writeFile(
      config,
      JSON.stringify({
        mcpServers: { everything: { command: process.execPath, args: [EVERYTHING, 'stdio'] } },
      }),
    );
    const policy = join(dir, 'policy.yaml');
    await writeFile(
      policy,
      'version: 1\ndefault: deny\nrules:\n  - { id: sum, tool: "mcp__everything__get-*", effect: allow }\n',
    );
    const suite = join(dir, 'suite.jsonl');
    const tasks = [2, 40, 7, 11].map((a, i) =>
      JSON.stringify({ id: `s${i}`, prompt: `add ${a} and 3`, answer: String(a + 3) }),
    );
    await writeFile(suite, `${tasks.join('\n')}\n`);
    await using server = await startScriptedServer({ script: sumScript });
    const model = ['--base-url', server.url, '--model', 'm'];
    const workers = ['mcp-a', 'mcp-b'].map((name) =>
      startWorker([
        ...['--queue', QUEUE, '--name', name, '--concurrency', '1', ...model],
        ...['--tools', 'none', '--mcp', config, '--policy', policy],
      ]),
    );
    // Both workers have started their MCP servers and wait for jobs before any is queued.
    const ready = Date.now() + 60_000;
    while (!workers.every((w) => w.stderr().includes('←')) && Date.now() < ready)
      await new Promise((resolve) => setTimeout(resolve, 100));
    const out = join(dir, 'run');
    const result = await runCli(
      [
        ...['eval', suite, ...model, '--tools', 'none', '--mcp', config, '--policy', policy],
        ...['--arms', `mcp=${SUM},no-tools`, '--samples', '2', '--out', out, '--queue', QUEUE],
      ],
      { timeoutMs: 120_000 },
    );
    expect(result.code, result.stderr).toBe(0);
    const results = JSON.parse(await readFile(join(out, 'results.json'), 'utf8'));
    expect(results.arms.mcp).toMatchObject({ n: 8, scored: 8, accuracy: 1 });
    expect(results.arms['no-tools']).toMatchObject({ n: 8, accuracy: 0 });
    const records = (await readFile(join(out, 'traces.jsonl'), 'utf8'))
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => traceRecordSchema.parse(JSON.parse(l)));
    const mcpRecords = records.filter((r) => r.arm === 'mcp');
    // The tool ran on the workers, under their policy.
    for (const r of mcpRecords) {
      expect(r.tool_calls[0]).toMatchObject({ name: SUM, policy: { decision: 'allow' } });
      expect(
        (r.runtime['worker'] as { settings: { mcp_tools: string[] } }).settings.mcp_tools,
      ).toContain(SUM);
    }
    const names = new Set(records.map((r) => (r.runtime['worker'] as { name: string }).name));
    expect(names).toEqual(new Set(['mcp-a', 'mcp-b']));
    for (const worker of workers) expect(worker.stderr()).not.toMatch(/failed/);
  });
});
