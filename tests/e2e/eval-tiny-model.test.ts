import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { traceRecordSchema } from '../../src/trace/schema.js';
import { runCli } from '../support/cli.js';

const STARTER = join(import.meta.dirname, '..', '..', 'examples', 'suites', 'starter.jsonl');

describe('assay eval with the bundled tiny model, offline', () => {
  it('runs 10 starter tasks with no model named and writes valid traces and a report', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'assay-tiny-eval-'));
    const suite = join(dir, 'starter-10.jsonl');
    const lines = (await readFile(STARTER, 'utf8')).split('\n').filter((l) => l.trim() !== '');
    await writeFile(suite, `${lines.slice(0, 10).join('\n')}\n`);
    const out = join(dir, 'run');
    const result = await runCli(['eval', suite, '--tools', 'calculator', '--out', out], {
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
    const results = JSON.parse(await readFile(join(out, 'results.json'), 'utf8'));
    expect(results.arms.tools.scored).toBe(10);
    expect(results.arms.tools.accuracy).toBeGreaterThan(results.arms['no-tools'].accuracy);
    expect(await readFile(join(out, 'report.html'), 'utf8')).toContain('<svg');
  });
});
