import { spawn } from 'node:child_process';
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { traceRecordSchema } from '../../src/trace/schema.js';
import { runCli } from '../support/cli.js';
import { calculatorScript, type Script, startScriptedServer } from '../support/scripted-server.js';

const SUITE = join(import.meta.dirname, '..', 'fixtures', 'suites', 'arith-small.jsonl');
const BIN = join(import.meta.dirname, '..', '..', 'bin', 'assay.js');

/** Uses the calculator when it is offered; without tools it always answers 42. */
function abScript(delayMs = 0): Script {
  const withTools = calculatorScript();
  return async (request) => {
    if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
    if (request.tools.length === 0) return { content: 'The answer is 42.' };
    return withTools(request);
  };
}

async function records(dir: string) {
  const text = await readFile(join(dir, 'traces.jsonl'), 'utf8');
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => traceRecordSchema.parse(JSON.parse(l)));
}

describe('assay eval against a scripted model server', () => {
  it('measures the accuracy of each arm and the paired difference', async () => {
    await using server = await startScriptedServer({ script: abScript() });
    const out = join(await mkdtemp(join(tmpdir(), 'assay-eval-')), 'run');
    const result = await runCli(
      [
        'eval',
        SUITE,
        '--base-url',
        server.url,
        '--model',
        'm',
        '--tools',
        'calculator',
        '--samples',
        '2',
        '--out',
        out,
      ],
      { timeoutMs: 120_000 },
    );
    expect(result.stderr).not.toMatch(/error/i);
    expect(result.code).toBe(0);
    const results = JSON.parse(await readFile(join(out, 'results.json'), 'utf8'));
    expect(results.arms.tools).toMatchObject({ n: 12, scored: 12, infra_errors: 0, accuracy: 1 });
    expect(results.arms['no-tools']).toMatchObject({ n: 12, scored: 12, accuracy: 2 / 12 });
    const paired = results.paired['tools_vs_no-tools'];
    expect(paired.n_pairs).toBe(6);
    expect(paired.diff).toBeCloseTo(5 / 6, 10);
    expect(paired.discordant).toEqual(['a1', 'a2', 'a3', 'a5', 'a6']);
    expect(results.by_tag.easy.arms.tools.accuracy).toBe(1);
    expect(result.stdout).toContain('tools − no-tools');
    const html = await readFile(join(out, 'report.html'), 'utf8');
    expect(html).toContain('<svg');
    expect(html).toContain('a5');
    expect(await readFile(join(out, 'report.md'), 'utf8')).toContain('no-tools');

    const changed = join(out, '..', 'changed.jsonl');
    const suiteText = await readFile(SUITE, 'utf8');
    await writeFile(changed, suiteText.replace('"121932631112635269"', '"1"'));
    const rescored = await runCli(['eval', 'rescore', out, '--suite', changed]);
    expect(rescored.code).toBe(0);
    const after = JSON.parse(await readFile(join(out, 'results.json'), 'utf8'));
    expect(after.arms.tools.accuracy).toBeCloseTo(10 / 12, 10);

    const lines = await records(out);
    expect(lines).toHaveLength(24);
    const groups = new Set(lines.map((r) => r.group_id));
    expect(groups.size).toBe(12);
    const seeds = new Set(
      lines.filter((r) => r.task_id === 'a1' && r.arm === 'tools').map((r) => r.sampling.seed),
    );
    expect(seeds.size).toBe(2);
    const noTools = lines.find((r) => r.arm === 'no-tools');
    expect(noTools?.tools_enabled).toBe(false);
    expect(noTools?.verifier?.name).toBe('math');
  });

  it('refuses to overwrite a run without --resume', async () => {
    await using server = await startScriptedServer({ script: abScript() });
    const out = join(await mkdtemp(join(tmpdir(), 'assay-eval-')), 'run');
    const args = [
      'eval',
      SUITE,
      '--base-url',
      server.url,
      '--model',
      'm',
      '--tools',
      'calculator',
      '--out',
      out,
    ];
    expect((await runCli(args)).code).toBe(0);
    const again = await runCli(args);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('--resume');
  });

  it('counts infra errors beside accuracy, never in it, and keeps every attempt', async () => {
    const out = join(await mkdtemp(join(tmpdir(), 'assay-eval-')), 'run');
    const result = await runCli(
      [
        'eval',
        SUITE,
        '--base-url',
        'http://127.0.0.1:9/v1',
        '--model',
        'm',
        '--tools',
        'calculator',
        '--max-attempts',
        '2',
        '--out',
        out,
      ],
      { timeoutMs: 120_000 },
    );
    expect(result.code).toBe(0);
    const results = JSON.parse(await readFile(join(out, 'results.json'), 'utf8'));
    expect(results.arms.tools).toMatchObject({ n: 6, scored: 0, infra_errors: 6, accuracy: null });
    const lines = await records(out);
    expect(lines).toHaveLength(24);
    expect(lines.every((r) => r.reward === null && r.error?.class === 'infra')).toBe(true);
    expect(new Set(lines.map((r) => r.attempt))).toEqual(new Set([0, 1]));
  });

  it('completes a run killed with SIGKILL when resumed, with no duplicate and no loss', async () => {
    await using server = await startScriptedServer({ script: abScript(150) });
    const out = join(await mkdtemp(join(tmpdir(), 'assay-eval-')), 'run');
    const args = [
      'eval',
      SUITE,
      '--base-url',
      server.url,
      '--model',
      'm',
      '--tools',
      'calculator',
      '--samples',
      '3',
      '--concurrency',
      '2',
      '--out',
      out,
    ];
    // With the flag there is no snapshot rerun: SIGKILL reaches the process doing the work.
    const child = spawn(process.execPath, ['--no-node-snapshot', BIN, ...args], {
      stdio: 'ignore',
    });
    const tracePath = join(out, 'traces.jsonl');
    const deadline = Date.now() + 60_000;
    for (;;) {
      const size = await stat(tracePath).then(
        (s) => s.size,
        () => 0,
      );
      const count = size > 0 ? (await readFile(tracePath, 'utf8')).split('\n').length - 1 : 0;
      if (count >= 5) break;
      if (Date.now() > deadline)
        throw new Error('the eval wrote too few lines before the deadline');
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGKILL');
    await new Promise((r) => child.on('close', r));
    const before = await records(out);
    expect(before.length).toBeLessThan(36);

    const resumed = await runCli([...args, '--resume'], { timeoutMs: 120_000 });
    expect(resumed.code).toBe(0);
    const after = await records(out);
    const keys = after.map((r) => `${r.task_id}/${r.arm}/${r.sample_index}`);
    expect(new Set(keys).size).toBe(36);
    expect(keys).toHaveLength(36);
    expect(after.slice(0, before.length).map((r) => r.trace_id)).toEqual(
      before.map((r) => r.trace_id),
    );
    expect(new Set(after.map((r) => r.run_id)).size).toBe(1);
    const results = JSON.parse(await readFile(join(out, 'results.json'), 'utf8'));
    expect(results.arms.tools.accuracy).toBe(1);
    expect(results.arms['no-tools'].accuracy).toBeCloseTo(1 / 6, 10);
  }, 180_000);
});
