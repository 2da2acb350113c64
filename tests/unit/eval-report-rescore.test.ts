import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import { renderSample } from '../../src/eval/report/html/conversation.js';
import { rescoreRun } from '../../src/eval/report/rescore.js';
import { readTraces } from '../../src/trace/reader.js';
import { writeSampleRun } from '../fixtures/eval-run/sample-run.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function runDir() {
  const dir = await mkdtemp(join(tmpdir(), 'assay-rescore-'));
  dirs.push(dir);
  return { dir, ...(await writeSampleRun(join(dir, 'run'))) };
}

/** A copy of the suite with one task's answer changed. */
async function editedSuite(dir: string, lines: readonly string[], id: string, answer: string) {
  const path = join(dir, 'fixed-suite.jsonl');
  const edited = lines.map((line) => {
    const task = JSON.parse(line) as { id: string; answer: string };
    return JSON.stringify(task.id === id ? { ...task, answer } : task);
  });
  await writeFile(path, `${edited.join('\n')}\n`);
  return path;
}

describe('rescoreRun', () => {
  it('rescores saved traces against a changed answer and rebuilds results and reports', async () => {
    const run = await runDir();
    // t03: tools answered 1111 (the old answer), no-tools answered 12.
    const suite = await editedSuite(run.dir, run.suiteLines, 't03', '12');
    const warnings: string[] = [];
    const results = await rescoreRun(join(run.dir, 'run'), suite, {
      onWarning: (m) => warnings.push(m),
    });
    expect(run.results.arms['tools']!.accuracy).toBeCloseTo(11 / 12);
    expect(results.arms['tools']!.accuracy).toBeCloseTo(10 / 12);
    expect(run.results.arms['no-tools']!.accuracy).toBeCloseTo(7 / 11);
    expect(results.arms['no-tools']!.accuracy).toBeCloseTo(8 / 11);
    expect(results.paired['tools_vs_no-tools']!.mcnemar).toMatchObject({ b: 3, c: 2 });
    expect(warnings).toEqual([expect.stringContaining('is not the suite this run used')]);

    const onDisk = JSON.parse(await readFile(join(run.dir, 'run', 'results.json'), 'utf8'));
    expect(onDisk).toEqual(JSON.parse(JSON.stringify(results)));
    const md = await readFile(join(run.dir, 'run', 'report.md'), 'utf8');
    expect(md).toContain('**83.3%**');
    const html = await readFile(join(run.dir, 'run', 'report.html'), 'utf8');
    expect(html).toContain('<div class="big">83.3%</div>');
  });

  it('re-scores a run scored by math verifier 1 with the current rules and explains each sample', async () => {
    const run = await runDir();
    const tracesPath = join(run.dir, 'run', 'traces.jsonl');
    // An old run: a reward-hacking answer (the answer is only a denominator) that version 1
    // scored correct by taking the last number in the text.
    const target = run.records.find((r) => r.reward === 1 && r.verifier?.name === 'math')!;
    const answer = target.verifier!.expected!;
    const hacked = run.records.map((r) =>
      r.trace_id === target.trace_id
        ? {
            ...r,
            final_answer: `The probability is $\\frac{1}{${answer}}$.`,
            verifier: { ...r.verifier!, version: '1' },
          }
        : r,
    );
    await writeFile(tracesPath, `${hacked.map((r) => JSON.stringify(r)).join('\n')}\n`);

    const results = await rescoreRun(join(run.dir, 'run'), run.suitePath);
    const after = (await readTraces(tracesPath)).find((r) => r.trace_id === target.trace_id)!;
    expect(after.reward).toBe(0);
    expect(after.verifier).toMatchObject({ version: '2', extracted: `\\frac{1}{${answer}}` });
    const row = results.samples!.find((s) => s.trace_id === target.trace_id)!;
    expect(row).toMatchObject({ verdict: 'wrong', reward: 0 });
    expect(row.explanation).toContain('from the last math expression does not equal reference');
    expect(results.samples).toHaveLength(
      run.results.arms['tools']!.n + run.results.arms['no-tools']!.n,
    );
    const md = await readFile(join(run.dir, 'run', 'report.md'), 'utf8');
    expect(md).toContain('## Samples: what the verifier read and why');
    expect(md).toContain('from the last math expression does not equal reference');
    // report.html shows the same sentence under each conversation it inlines.
    expect(renderSample({ record: after, line: 1 }, 'traces.jsonl')).toContain(
      'from the last math expression does not equal reference',
    );
  });

  it('rewrites traces.jsonl in the same order with valid records and only the rewards changed', async () => {
    const run = await runDir();
    const suite = await editedSuite(run.dir, run.suiteLines, 't03', '12');
    await rescoreRun(join(run.dir, 'run'), suite);
    const after = await readTraces(join(run.dir, 'run', 'traces.jsonl'));
    expect(after.map((r) => r.trace_id)).toEqual(run.records.map((r) => r.trace_id));
    for (const [i, record] of after.entries()) {
      const before = run.records[i]!;
      const flipped = record.task_id === 't03' && before.reward !== null;
      expect(record.reward).toBe(flipped ? 1 - before.reward! : before.reward);
      expect(record.verifier?.expected ?? null).toBe(
        before.verifier === null
          ? null
          : record.task_id === 't03'
            ? '12'
            : before.verifier.expected,
      );
      expect({ ...record, reward: null, verifier: null }).toEqual({
        ...before,
        reward: null,
        verifier: null,
      });
    }
  });

  it('finds the recorded suite itself; an unchanged suite changes nothing but the results time', async () => {
    const run = await runDir();
    const warnings: string[] = [];
    const results = await rescoreRun(join(run.dir, 'run'), undefined, {
      onWarning: (m) => warnings.push(m),
    });
    expect(warnings).toEqual([]);
    const { created_at, ...rest } = results;
    const { created_at: started, ...before } = JSON.parse(JSON.stringify(run.results));
    expect(rest).toEqual(before);
    expect(started).toBe(run.manifest.created_at);
    expect(Date.parse(created_at)).toBeGreaterThan(Date.parse(run.manifest.created_at));
    const after = await readTraces(join(run.dir, 'run', 'traces.jsonl'));
    expect(after).toEqual(JSON.parse(JSON.stringify(run.records)));
  });

  it('keeps a line a crash cut short, so a later --resume still sees it as not done', async () => {
    const run = await runDir();
    const traces = join(run.dir, 'run', 'traces.jsonl');
    const torn = JSON.stringify(run.records[0]).slice(0, 80);
    await appendFile(traces, torn);
    const warnings: string[] = [];
    await rescoreRun(join(run.dir, 'run'), undefined, { onWarning: (m) => warnings.push(m) });
    expect(warnings).toEqual([expect.stringContaining(':26: torn last line skipped')]);
    const text = await readFile(traces, 'utf8');
    expect(text.split('\n').at(-2)).toBe(torn);
    const readWarnings: string[] = [];
    const after = await readTraces(traces, { onWarning: (m) => readWarnings.push(m) });
    expect(after).toHaveLength(run.records.length);
    expect(readWarnings).toHaveLength(1);
  });

  it('refuses a folder without run.json, naming it', async () => {
    const run = await runDir();
    const error = await rescoreRun(run.dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toContain(join(run.dir, 'run.json'));
  });

  it('says the suite is missing and asks for one when the recorded path is gone', async () => {
    const run = await runDir();
    await rm(run.suitePath);
    await expect(rescoreRun(join(run.dir, 'run'))).rejects.toThrow(
      /suite .*suite\.jsonl was not found; give the suite file/,
    );
  });
});
