import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseHTML } from 'linkedom';
import { afterEach, describe, expect, it } from 'vitest';
import { points, pValue } from '../../src/eval/report/format.js';
import { renderHtml } from '../../src/eval/report/html.js';
import { cell, renderMarkdown } from '../../src/eval/report/markdown.js';
import { writeRunReports } from '../../src/eval/report/run-reports.js';
import { writeReports } from '../../src/eval/report/write-reports.js';
import {
  aggregateRun,
  HOSTILE_ANSWER,
  type SampleRun,
  sampleRun,
  writeSampleRun,
} from '../fixtures/eval-run/sample-run.js';
import { evalRecord } from '../support/eval-records.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'assay-report-'));
  dirs.push(dir);
  return dir;
}

/** The sample run with one task renamed to an id full of markup and table syntax. */
async function runWithHostileId(id: string): Promise<SampleRun> {
  const run = await sampleRun();
  const rename = (taskId: string | null) => (taskId === 't03' ? id : taskId);
  const tasks = run.tasks.map((t) => ({ ...t, id: rename(t.id)! }));
  const records = run.records.map((r) => ({ ...r, task_id: rename(r.task_id) }));
  return { ...run, tasks, records, results: aggregateRun(records, tasks, run.manifest) };
}

describe('number formatting', () => {
  it('signs differences in points with a true minus and never signs zero', () => {
    expect(points(0.2309)).toBe('+23.1');
    expect(points(-0.045)).toBe('−4.5');
    expect(points(-0.0001)).toBe('0.0');
    expect(points(null)).toBe('–');
  });

  it('writes p-values with two significant digits and tiny ones in exponent form', () => {
    expect(pValue(0.00214)).toBe('0.0021');
    expect(pValue(0.375)).toBe('0.38');
    expect(pValue(3.1e-7)).toBe('3.1e-7');
    expect(pValue(1)).toBe('1');
  });
});

describe('renderMarkdown', () => {
  it('lists the run, the per-arm, paired and per-tag tables with hand-checked numbers', async () => {
    const run = await sampleRun();
    const md = renderMarkdown(run.results, run.manifest, run.records);
    expect(md).toContain('# Eval report: scripted on suite.jsonl');
    expect(md).toContain('`tools` (`calculator`); `no-tools` (no tools)');
    // tools: 11 of 12 right; no-tools: 7 of 11 scored right, t09 lost to infra.
    expect(md).toMatch(
      /\| `tools` \| \*\*91\.7%\*\* \| \[\d+\.\d%, \d+\.\d%\] \| 12 \/ 12 \| 0 \|/,
    );
    expect(md).toMatch(/\| `no-tools` \| \*\*63\.6%\*\* \| .* \| 11 \/ 12 \| 1 \| 58\.3% \|/);
    // 4 tasks favour tools, 1 favours no-tools: (4 − 1) / 11 paired tasks, p = 2·6/32.
    expect(md).toContain('| tools − no-tools | 11 | **+27.3 pts** |');
    expect(md).toContain('| 4 / 1 | 0.38 | not significant at 0.05 |');
    expect(md).toMatch(/\| arithmetic \| 100\.0% .* \(n 4\) \| 0\.0% .* \(n 3\) \| \+100\.0 /);
  });

  it('lists each discordant task with both verdicts and links to its trace lines', async () => {
    const run = await sampleRun();
    const lines = new Map(run.records.map((r, i) => [r.trace_id, i + 1]));
    const md = renderMarkdown(run.results, run.manifest, run.records, { traceLines: lines });
    expect(md).toContain('### tools − no-tools: 5 tasks');
    expect(md).toContain(
      '| `t00` | correct | wrong | [tools#0](traces.jsonl#L1 "line 1"), [no-tools#0](traces.jsonl#L2 "line 2") |',
    );
    expect(md).toMatch(/\| `t11` \| wrong \| correct \|/);
    for (const id of ['t03', 't06', 't10']) expect(md).toContain(`| \`${id}\` | correct | wrong |`);
  });

  it('says infra errors are excluded from accuracy and counts them by code', async () => {
    const run = await sampleRun();
    const md = renderMarkdown(run.results, run.manifest, run.records);
    expect(md).toContain('**excluded from accuracy**');
    expect(md).toContain('| `no-tools` | 1 | 0 | `MODEL_UNREACHABLE` × 1 |');
    expect(md).toContain('| `tools` | 0 | 1 | – |');
  });

  it('keeps markup and pipes in task ids from breaking out of the table', async () => {
    expect(cell('a|b <i>x</i>')).toBe('a\\|b &lt;i&gt;x&lt;/i&gt;');
    const run = await runWithHostileId('t03|<img src=x>');
    const md = renderMarkdown(run.results, run.manifest, run.records);
    expect(md).not.toContain('<img');
    const row = md.split('\n').find((l) => l.includes('t03'));
    expect(row?.split(' | ')).toHaveLength(4);
  });
});

describe('renderHtml', () => {
  it('is one self-contained page: no stylesheet link, image, script file or remote URL', async () => {
    const run = await sampleRun();
    const html = renderHtml(run.results, run.manifest, run.records);
    expect(html).not.toMatch(/<(link|img|iframe|object|embed)\b/i);
    expect(html).not.toMatch(/<script[^>]*\bsrc=/i);
    expect(html).not.toMatch(/\b(src|href)="(https?:)?\/\//i);
    expect(html).not.toMatch(/url\(|@import|fetch\(|XMLHttpRequest|WebSocket/);
    expect(html).toMatch(/content="default-src 'none'; script-src 'sha256-[A-Za-z0-9+/=]+';/);
    expect(html).toContain('prefers-color-scheme: dark');
  });

  it('shows a final answer with a script tag as text, byte for byte', async () => {
    const run = await sampleRun();
    const html = renderHtml(run.results, run.manifest, run.records);
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    const { document } = parseHTML(html);
    expect(document.querySelectorAll('img')).toHaveLength(0);
    expect(document.querySelectorAll('script')).toHaveLength(3);
    const texts = [...document.querySelectorAll('li.assistant pre')].map((p) => p.textContent);
    expect(texts).toContain(HOSTILE_ANSWER);
  });

  it('escapes markup in task ids, model names and arm names', async () => {
    const run = await runWithHostileId('t03"><b>bold</b>');
    run.manifest.model.name = '<i>model</i>';
    const html = renderHtml(run.results, run.manifest, run.records);
    const { document } = parseHTML(html);
    expect(document.querySelectorAll('b, i')).toHaveLength(0);
    const ids = [...document.querySelectorAll('.task-id code')].map((c) => c.textContent);
    expect(ids).toContain('t03"><b>bold</b>');
    expect(document.querySelector('title')?.textContent).toContain('<i>model</i>');
  });

  it('draws accuracy, difference, per-tag and compute charts as labelled inline SVG', async () => {
    const run = await sampleRun();
    const { document } = parseHTML(renderHtml(run.results, run.manifest, run.records));
    const charts = [...document.querySelectorAll('svg.chart')];
    expect(charts.map((c) => c.getAttribute('role'))).toEqual(['img', 'img', 'img', 'img']);
    const titles = charts.map((c) => c.querySelector('title')?.textContent);
    expect(titles).toEqual([
      'Accuracy per arm',
      'Paired difference in accuracy',
      'Accuracy per tag',
      'Accuracy against mean total tokens per task',
    ]);
    const bars = charts[0]!.querySelectorAll('rect.bar');
    expect(bars).toHaveLength(2);
    // The tools bar is 11/12 of the plot width; no-tools 7/11 of it.
    const widths = [...bars].map((b) => Number(b.getAttribute('width')));
    expect(widths[0]! / widths[1]!).toBeCloseTo(11 / 12 / (7 / 11), 2);
    expect(charts[1]!.querySelector('.zero')).not.toBeNull();
    expect(charts[1]!.querySelector('circle.positive')).not.toBeNull();
  });

  it('opens each discordant task onto both arms’ conversations', async () => {
    const run = await sampleRun();
    const lines = new Map(run.records.map((r, i) => [r.trace_id, i + 1]));
    const html = renderHtml(run.results, run.manifest, run.records, { traceLines: lines });
    const { document } = parseHTML(html);
    const details = [...document.querySelectorAll('.tasks > details')];
    expect(details.map((d) => d.querySelector('.task-id')?.textContent)).toEqual([
      't00',
      't03',
      't06',
      't10',
      't11',
    ]);
    const first = details[0]!;
    expect([...first.querySelectorAll('.arm-col h4')].map((h) => h.textContent)).toEqual([
      'tools',
      'no-tools',
    ]);
    expect(first.textContent).toContain('traces.jsonl line 1');
    expect(first.querySelector('.msg.tool pre')?.textContent).toBe('4');
    expect(first.querySelector('.call')?.textContent).toContain('calculator');
  });

  it('reports infra errors as excluded beside the accuracy they are left out of', async () => {
    const run = await sampleRun();
    const html = renderHtml(run.results, run.manifest, run.records);
    expect(html).toContain('1 infra error excluded');
    expect(html).toContain('<strong>excluded from accuracy</strong>');
  });
});

describe('writeReports', () => {
  it('writes report.md and report.html with trace line links read from traces.jsonl', async () => {
    const dir = await tempDir();
    const run = await writeSampleRun(dir);
    const paths = await writeReports(dir, run.results, run.manifest, run.records);
    expect(paths).toEqual({ md: join(dir, 'report.md'), html: join(dir, 'report.html') });
    const md = await readFile(paths.md, 'utf8');
    const html = await readFile(paths.html, 'utf8');
    const lines = new Map(run.records.map((r, i) => [r.trace_id, i + 1]));
    expect(md).toBe(renderMarkdown(run.results, run.manifest, run.records, { traceLines: lines }));
    expect(html).toBe(renderHtml(run.results, run.manifest, run.records, { traceLines: lines }));
    const tracesText = (await readFile(join(dir, 'traces.jsonl'), 'utf8')).split('\n');
    const line = Number(/\[no-tools#0\]\(traces\.jsonl#L(\d+)/.exec(md.split('`t10`')[1]!)?.[1]);
    expect(JSON.parse(tracesText[line - 1]!).trace_id).toBe('t10-no-tools-0-0');
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('still writes both reports when there is no trace file to link to', async () => {
    const dir = await tempDir();
    const run = await sampleRun();
    await writeReports(dir, run.results, run.manifest, run.records);
    const md = await readFile(join(dir, 'report.md'), 'utf8');
    expect(md).toContain('tools#0 `t00-tools-0-0`');
    expect(await readFile(join(dir, 'report.html'), 'utf8')).toContain('<!doctype html>');
  });
});

describe('writeRunReports', () => {
  it('draws the reports of a run folder from run.json, results.json and traces.jsonl', async () => {
    const dir = await tempDir();
    const run = await writeSampleRun(dir);
    const paths = await writeRunReports(dir);
    const lines = new Map(run.records.map((r, i) => [r.trace_id, i + 1]));
    const expected = JSON.parse(JSON.stringify(run));
    expect(await readFile(paths.html, 'utf8')).toBe(
      renderHtml(expected.results, expected.manifest, expected.records, { traceLines: lines }),
    );
  });

  it('names results.json when it is not eval results', async () => {
    const dir = await tempDir();
    await writeSampleRun(dir);
    await writeFile(join(dir, 'results.json'), '{"arms": []}');
    await expect(writeRunReports(dir)).rejects.toThrow(/results\.json: arms: expected an object/);
  });
});

describe('reports of several samples per task', () => {
  it('shows how many samples of each arm were right on a discordant task', async () => {
    const base = await sampleRun();
    const task = { ...base.tasks[0]!, id: 'a' };
    const records = [
      evalRecord({ task: 'a', arm: 'tools', sample: 0, reward: 1, runId: base.manifest.run_id }),
      evalRecord({ task: 'a', arm: 'tools', sample: 1, reward: 1, runId: base.manifest.run_id }),
      evalRecord({ task: 'a', arm: 'no-tools', sample: 0, reward: 1, runId: base.manifest.run_id }),
      evalRecord({ task: 'a', arm: 'no-tools', sample: 1, reward: 0, runId: base.manifest.run_id }),
    ];
    const manifest = { ...base.manifest, samples: 2 };
    const results = aggregateRun(records, [task], manifest);
    const md = renderMarkdown(results, manifest, records);
    expect(md).toContain('| `a` | 2/2 correct | 1/2 correct |');
    const { document } = parseHTML(renderHtml(results, manifest, records));
    const badges = [...document.querySelectorAll('.tasks summary .badge')];
    expect(badges.map((b) => [b.textContent, b.getAttribute('class')])).toEqual([
      ['2/2 correct', 'badge ok'],
      ['1/2 correct', 'badge warn'],
    ]);
    expect(document.querySelectorAll('.tasks article.sample')).toHaveLength(4);
  });
});

describe('discordant tasks at scale', () => {
  it('inlines the conversations of the first 20 tasks only, every verdict opening its sample in the browser', async () => {
    const base = await sampleRun();
    const ids = Array.from({ length: 25 }, (_, i) => `d${String(i).padStart(2, '0')}`);
    const tasks = ids.map((id) => ({ ...base.tasks[0]!, id }));
    const records = ids.flatMap((task) => [
      evalRecord({ task, arm: 'tools', reward: 1, runId: base.manifest.run_id }),
      evalRecord({ task, arm: 'no-tools', reward: 0, runId: base.manifest.run_id }),
    ]);
    const results = aggregateRun(records, tasks, base.manifest);
    const { document } = parseHTML(renderHtml(results, base.manifest, records));
    expect(document.querySelectorAll('.tasks > details')).toHaveLength(20);
    expect(document.querySelectorAll('.tasks article.sample')).toHaveLength(40);
    const rows = [...document.querySelectorAll('.tasks .task-row')];
    expect(rows).toHaveLength(25);
    const last = rows.at(-1)!;
    expect(last.querySelector('.task-id')?.textContent).toBe('d24');
    expect(
      [...last.querySelectorAll('a[data-sample]')].map((a) => a.getAttribute('data-sample')),
    ).toEqual(['d24-tools-0-0', 'd24-no-tools-0-0']);
    expect(last.querySelector('a')?.getAttribute('href')).toBe('#sample=d24-tools-0-0');
  });
});
