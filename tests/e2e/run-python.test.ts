import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { engineStatus } from '../../sandbox/docker/docker-errors.js';
import { traceRecordSchema } from '../../src/trace/schema.js';
import { runCli } from '../support/cli.js';
import { requireDocker } from '../support/docker.js';
import { startScriptedServer, toolThenAnswerScript } from '../support/scripted-server.js';

const docker = await requireDocker();

describe.skipIf(!docker.available)('assay run --tools python', { timeout: 180_000 }, () => {
  it('answers with what the sandboxed code computed and leaves no container behind', async () => {
    await using server = await startScriptedServer({
      script: toolThenAnswerScript({
        tool: 'python',
        args: () => ({ code: 'import sympy\nprimes = sympy.primepi(10**6)\nprimes' }),
        answer: (result) => result.split('\n').at(-1) ?? '',
      }),
    });
    const trace = join(await mkdtemp(join(tmpdir(), 'assay-python-')), 'trace.jsonl');
    const result = await runCli(
      [
        'run',
        '--base-url',
        server.url,
        '--model',
        'm',
        '--tools',
        'python',
        '--trace',
        trace,
        'How many primes are below a million?',
      ],
      { timeoutMs: 120_000 },
    );
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('78498\n');
    expect(result.code).toBe(0);
    const line = JSON.parse((await readFile(trace, 'utf8')).trim()) as {
      tool_calls: { result: { data: { container_id: string } } }[];
    };
    const record = traceRecordSchema.parse(line);
    expect(record.tool_calls[0]).toMatchObject({
      name: 'python',
      result: { ok: true, content: 'value:\n78498' },
    });
    const container = line.tool_calls[0]?.result.data.container_id;
    expect(container).toMatch(/^[0-9a-f]{12}$/);
    expect(
      engineStatus(await docker.engine.inspectContainer(container!).catch((e: unknown) => e)),
    ).toBe(404);
  });
});
