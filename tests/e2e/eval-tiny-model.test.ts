import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { traceRecordSchema } from '../../src/trace/schema.js';
import { runCli } from '../support/cli.js';
import { requireDocker } from '../support/docker.js';

// The default tools include python, which runs in the Docker sandbox.
const docker = await requireDocker();

const STARTER = join(import.meta.dirname, '..', '..', 'examples', 'suites', 'starter.jsonl');

// Four arithmetic tasks, three facts from the made-up corpus, three computations.
const PICKED = [
  'arith-01',
  'arith-02',
  'arith-03',
  'arith-04',
  'fact-02',
  'fact-08',
  'fact-10',
  'compute-02',
  'compute-03',
  'compute-06',
];

describe.skipIf(!docker.available)('assay eval with the bundled tiny model, offline', () => {
  it('runs 10 starter tasks with no model named and writes valid traces and a report', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'assay-tiny-eval-'));
    const suite = join(dir, 'starter-10.jsonl');
    const lines = (await readFile(STARTER, 'utf8')).split('\n').filter((l) => l.trim() !== '');
    const picked = lines.filter((l) => PICKED.includes(JSON.parse(l).id));
    expect(picked).toHaveLength(10);
    await writeFile(suite, `${picked.join('\n')}\n`);
    const out = join(dir, 'run');
    const result = await runCli(['eval', suite, '--out', out], {
      env: { ASSAY_MODEL: '' },
      timeoutMs: 110_000,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('model.gguf');

    const records = (await readFile(join(out, 'traces.jsonl'), 'utf8'))
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => traceRecordSchema.parse(JSON.parse(l)));
    expect(records).toHaveLength(20);
    expect(records.every((r) => r.model.provider === 'llama-cpp' && r.error === null)).toBe(true);
    // With tools the model picks the calculator, web_search or python by the kind of question.
    const used = new Set(
      records.filter((r) => r.arm === 'tools').flatMap((r) => r.tool_calls.map((c) => c.name)),
    );
    expect([...used].sort()).toEqual(['calculator', 'python', 'web_search']);
    expect(
      records.filter((r) => r.arm === 'no-tools').every((r) => r.tool_calls.length === 0),
    ).toBe(true);
    const results = JSON.parse(await readFile(join(out, 'results.json'), 'utf8'));
    expect(results.arms.tools.scored).toBe(10);
    expect(results.arms.tools.accuracy).toBeGreaterThan(results.arms['no-tools'].accuracy);
    expect(await readFile(join(out, 'report.html'), 'utf8')).toContain('<svg');
  });
});
