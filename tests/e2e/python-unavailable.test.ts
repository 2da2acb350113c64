import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { traceRecordSchema } from '../../src/trace/schema.js';
import { runCli } from '../support/cli.js';
import { requireDocker } from '../support/docker.js';
import { calculatorScript, startScriptedServer } from '../support/scripted-server.js';

const docker = await requireDocker();
const NO_ENGINE = 'unix:///tmp/assay-e2e-no-such-engine.sock';
const NO_ENGINE_WARNING = `assay: warning: python tool left out: no Docker engine answers at ${NO_ENGINE} (ENOENT); start Docker or set DOCKER_HOST, then run \`assay sandbox build\`\n`;
const TASKS = [
  { id: 'arith-01', prompt: 'What is 348712782 * 20346633?', answer: '7095130997763006' },
  { id: 'arith-02', prompt: 'What is 1371517708240 + 9526685593636?', answer: '10898203301876' },
];

let dir: string;
let suite: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'assay-no-sandbox-'));
  suite = join(dir, 'arith.jsonl');
  const lines = TASKS.map((t) => JSON.stringify({ ...t, verifier: 'math', tags: ['arithmetic'] }));
  await writeFile(suite, `${lines.join('\n')}\n`);
});

async function traces(path: string) {
  return (await readFile(path, 'utf8'))
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => traceRecordSchema.parse(JSON.parse(l)));
}

describe('assay eval when the python sandbox cannot run', () => {
  it('leaves python out of the default tools with one warning and finishes the run', async () => {
    const out = join(dir, 'default-tools');
    const result = await runCli(['eval', suite, '--out', out], {
      env: { DOCKER_HOST: NO_ENGINE },
      timeoutMs: 110_000,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr.split(NO_ENGINE_WARNING)).toHaveLength(2);

    const manifest = JSON.parse(await readFile(join(out, 'run.json'), 'utf8'));
    expect(manifest.arms).toEqual([
      { name: 'tools', tools: ['calculator', 'javascript', 'web_search', 'web_fetch'] },
      { name: 'no-tools', tools: [] },
    ]);
    const records = await traces(join(out, 'traces.jsonl'));
    expect(records).toHaveLength(4);
    expect(records.every((r) => r.error === null && !r.tools.includes('python'))).toBe(true);
    const results = await readFile(join(out, 'results.json'), 'utf8');
    expect(results).not.toContain('python');
  });

  it('fails with exit 3 before running anything when --tools names python', async () => {
    const out = join(dir, 'explicit-python');
    const result = await runCli(['eval', suite, '--tools', 'calculator,python', '--out', out], {
      env: { DOCKER_HOST: NO_ENGINE },
    });
    expect(result.code).toBe(3);
    expect(result.stderr).toBe(
      `assay: --tools names python, but no Docker engine answers at ${NO_ENGINE} (ENOENT); start Docker or set DOCKER_HOST, then run \`assay sandbox build\`, or leave python out of --tools\n`,
    );
    expect(existsSync(out)).toBe(false);
  });
});

describe('assay run when the python sandbox cannot run', () => {
  it('does not check Docker when python is not among the tools', async () => {
    await using server = await startScriptedServer({ script: calculatorScript() });
    const result = await runCli(
      [
        'run',
        '--base-url',
        server.url,
        '--model',
        'm',
        '--tools',
        'calculator',
        '--trace',
        join(dir, 'calc.jsonl'),
        'What is 6 * 7?',
      ],
      { env: { DOCKER_HOST: NO_ENGINE } },
    );
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('42\n');
  });

  it('fails with exit 3 naming the engine address when --tools names python', async () => {
    const trace = join(dir, 'explicit-run.jsonl');
    const result = await runCli(['run', '--tools', 'python', '--trace', trace, 'What is 6 * 7?'], {
      env: { DOCKER_HOST: NO_ENGINE },
    });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`no Docker engine answers at ${NO_ENGINE} (ENOENT)`);
    expect(existsSync(trace)).toBe(false);
  });

  it.skipIf(!docker.available)(
    'leaves python out of the default tools when --image names a missing image',
    async () => {
      await using server = await startScriptedServer({ script: calculatorScript() });
      const trace = join(dir, 'missing-image.jsonl');
      const result = await runCli([
        'run',
        '--base-url',
        server.url,
        '--model',
        'm',
        '--image',
        'assay/does-not-exist:1',
        '--trace',
        trace,
        'What is 6 * 7?',
      ]);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toBe('42\n');
      expect(result.stderr).toBe(
        `assay: warning: python tool left out: image assay/does-not-exist:1 not found in the Docker engine at ${docker.engine.endpoint}; build or load assay/does-not-exist:1 locally (no registry is used)\n`,
      );
      expect(server.requests[0]?.tools.map((t) => t.name)).toEqual([
        'calculator',
        'javascript',
        'web_search',
        'web_fetch',
      ]);
      const [record] = await traces(trace);
      expect(record?.tools).toEqual(['calculator', 'javascript', 'web_search', 'web_fetch']);
    },
  );
});
