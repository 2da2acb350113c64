import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { startScriptedServer } from '../support/scripted-server.js';

const SUITE = join(import.meta.dirname, '..', 'fixtures', 'suites', 'arith-small.jsonl');

describe('sampling settings of a run', () => {
  it('warns about greedy samples, records the settings everywhere, and says why with-variance exports nothing', async () => {
    await using server = await startScriptedServer({
      script: async () => ({ content: 'The answer is 42.' }),
    });
    const out = join(await mkdtemp(join(tmpdir(), 'assay-sampling-')), 'run');
    const args = ['eval', SUITE, '--base-url', server.url, '--model', 'm', '--tools', 'none'];
    const result = await runCli(
      [...args, '--samples', '2', '--temperature', '0', '--max-tokens', '64', '--out', out],
      { timeoutMs: 120_000 },
    );
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('--samples 2 with --temperature 0 (greedy)');

    const expected = { temperature: 0, top_p: null, max_tokens: 64 };
    const manifest = JSON.parse(await readFile(join(out, 'run.json'), 'utf8'));
    expect(manifest.sampling).toEqual(expected);
    const results = JSON.parse(await readFile(join(out, 'results.json'), 'utf8'));
    expect(results.sampling).toEqual(expected);
    expect(results.created_at).not.toBe(manifest.created_at);
    const markdown = await readFile(join(out, 'report.md'), 'utf8');
    expect(markdown).toContain(
      "Sampling: temperature 0, top\\_p the model's default, max\\_tokens 64 (greedy",
    );
    const html = await readFile(join(out, 'report.html'), 'utf8');
    expect(html).toContain('<dt>Sampling</dt><dd>asked for temperature 0');

    const exported = await runCli([
      'traces',
      'export',
      join(out, 'traces.jsonl'),
      '--format',
      'trl',
      '--groups',
      'with-variance',
    ]);
    expect(exported.code).toBe(0);
    expect(exported.stdout).toBe('');
    expect(exported.stderr).toContain('--groups with-variance kept nothing');
  });
});
