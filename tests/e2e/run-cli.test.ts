import { mkdtemp, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { traceRecordSchema } from '../../src/trace/schema.js';
import { runCli } from '../support/cli.js';
import { calculatorScript, startScriptedServer } from '../support/scripted-server.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'assay-run-'));
});

async function traceLines(path: string): Promise<unknown[]> {
  const text = await readFile(path, 'utf8');
  return text
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as unknown);
}

describe('assay run against a scripted model server', () => {
  for (const wire of ['openai', 'ollama', 'vllm', 'llamacpp', 'hermes-text'] as const) {
    it(`prints the exact product with the calculator when the server speaks ${wire}`, async () => {
      await using server = await startScriptedServer({ script: calculatorScript(), wire });
      const trace = join(dir, `${wire}.jsonl`);
      const result = await runCli([
        'run',
        '--base-url',
        server.url,
        '--model',
        'qwen3:8b',
        '--tools',
        'calculator',
        '--trace',
        trace,
        'What is 123456789 * 987654321?',
      ]);
      expect(result.stderr).toBe('');
      expect(result.stdout).toBe('121932631112635269\n');
      expect(result.code).toBe(0);
      const [line] = await traceLines(trace);
      const record = traceRecordSchema.parse(line);
      expect(record.outcome.status).toBe('completed');
      expect(record.tool_calls).toHaveLength(1);
      expect(record.tool_calls[0]?.name).toBe('calculator');
      expect(record.tool_calls[0]?.result.content).toContain('121932631112635269');
      expect(record.model).toMatchObject({ name: 'qwen3:8b', base_url: server.url });

      const validate = await runCli(['traces', 'validate', trace]);
      expect(validate.code).toBe(0);
    });
  }

  it('prints the whole trace record with --json', async () => {
    await using server = await startScriptedServer({ script: calculatorScript() });
    const trace = join(dir, 'json.jsonl');
    const result = await runCli([
      'run',
      '--json',
      '--base-url',
      server.url,
      '--model',
      'm',
      '--trace',
      trace,
      'What is 2^200?',
    ]);
    expect(result.code).toBe(0);
    const record = traceRecordSchema.parse(JSON.parse(result.stdout));
    expect(record.final_answer).toBe(
      '1606938044258990275541962092341162602522202993782792835301376',
    );
  });

  it('exits 3 and names the URL when the model server is down, and still writes an infra trace line', async () => {
    const port = await closedPort();
    const url = `http://127.0.0.1:${port}/v1`;
    const trace = join(dir, 'down.jsonl');
    const result = await runCli([
      'run',
      '--base-url',
      url,
      '--model',
      'm',
      '--trace',
      trace,
      'What is 1+1?',
    ]);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`127.0.0.1:${port}`);
    expect(result.stdout).toBe('');
    const [line] = await traceLines(trace);
    const record = traceRecordSchema.parse(line);
    expect(record.outcome.status).toBe('error');
    expect(record.error?.class).toBe('infra');
    expect(record.reward).toBeNull();
  });

  it('exits 2 naming the file when --model-path does not exist', async () => {
    const missing = join(dir, 'missing.gguf');
    const result = await runCli([
      'run',
      '--model-path',
      missing,
      '--trace',
      join(dir, 'none.jsonl'),
      'hello',
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(missing);
  });

  it('exits 2 when --threads is not a positive integer or is given with a server model', async () => {
    const bad = await runCli(['run', '--threads', '0', '--tools', 'none', 'hi']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--threads must be a positive integer');
    const server = await runCli(['run', '--model', 'm', '--threads', '2', 'hi']);
    expect(server.code).toBe(2);
    expect(server.stderr).toContain('--threads sets the threads of an in-process model');
  });

  it('runs the bundled model on the threads --threads names', async () => {
    const trace = join(dir, 'threads.jsonl');
    const result = await runCli(
      [
        'run',
        '--threads',
        '1',
        '--tools',
        'calculator',
        '--trace',
        trace,
        'What is 48213 * 99172?',
      ],
      { env: { ASSAY_MODEL: '' } },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trim()).toBe(String(48213 * 99172));
  });

  it('exits 2 when --tool-format native is asked of the in-process model, never replacing it', async () => {
    const result = await runCli(['run', '--tool-format', 'native', '--tools', 'calculator', 'hi']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--tool-format native: the in-process llama.cpp model');
    expect(result.stdout).toBe('');
  });

  it('exits 2 naming the tool when --tools lists an unknown one', async () => {
    const result = await runCli(['run', '--model', 'm', '--tools', 'calculator,shell', 'hi']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('"shell"');
  });

  it('exits 1 at max steps when the model never answers', async () => {
    await using server = await startScriptedServer({
      script: (req) => ({
        tool_calls: [
          { name: 'calculator', arguments: { expression: `${req.messages.length} + 1` } },
        ],
      }),
    });
    const trace = join(dir, 'max.jsonl');
    const result = await runCli([
      'run',
      '--base-url',
      server.url,
      '--model',
      'm',
      '--max-steps',
      '3',
      '--trace',
      trace,
      'loop forever',
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('max_steps');
    const [line] = await traceLines(trace);
    expect(traceRecordSchema.parse(line).tool_calls).toHaveLength(3);
  });
});

afterAll(async () => {});

/** A port that was just free: nothing listens on it. */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') return reject(new Error('no port'));
      server.close(() => resolve(address.port));
    });
  });
}
