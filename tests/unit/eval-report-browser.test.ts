import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { parseHTML } from 'linkedom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BrowserSample,
  jsonForScript,
  type SampleDetail,
} from '../../src/eval/report/html/sample-data.js';
import { renderHtml } from '../../src/eval/report/html.js';
import { renderMarkdown } from '../../src/eval/report/markdown.js';
import type { TraceRecord } from '../../src/trace/schema.js';
import { type SampleRun, sampleRun } from '../fixtures/eval-run/sample-run.js';
import { CdpBrowser, openDrawn } from '../support/cdp-pipe.js';
import { requireChromium } from '../support/chromium.js';

/** Model text that tries every way out of a JSON script element and out of the page. */
const HOSTILE_TRANSCRIPT = [
  'Sure.</script><script>document.title="pwned"</script>',
  '</SCRIPT ><!--<script>document.title="pwned2"',
  'line\u2028separator\u2029paragraph',
  'lone \ud800 surrogate and a \u0000 nul',
  '<img src=x onerror="document.title=\'pwned3\'"> ]]> -->',
].join('\n');

function withHostileTranscript(run: SampleRun): TraceRecord[] {
  return run.records.map((r) =>
    r.trace_id === 't03-tools-0-0'
      ? {
          ...r,
          messages: [
            ...r.messages,
            { role: 'user', content: 'Once more?' },
            { role: 'assistant', content: HOSTILE_TRANSCRIPT },
          ],
        }
      : r,
  );
}

type Embedded = Omit<BrowserSample, 'd'> & { d: SampleDetail };

function embedded(html: string): Embedded[] {
  const { document } = parseHTML(html);
  const read = (id: string) =>
    JSON.parse(
      gunzipSync(Buffer.from(document.getElementById(id)!.textContent!, 'base64')).toString(),
    );
  // The list's fields and the transcripts travel apart, in the same order.
  const samples: Omit<BrowserSample, 'd'>[] = read('assay-samples');
  const details: string[] = read('assay-details');
  expect(details).toHaveLength(samples.length);
  for (const sample of samples) expect(sample).not.toHaveProperty('d');
  return samples.map((s, i) => ({ ...s, d: JSON.parse(details[i]!) }));
}

describe('jsonForScript', () => {
  it('leaves no <, > or & and no line separators, and parses back to the same value', () => {
    const value = { text: HOSTILE_TRANSCRIPT, nested: ['<!--', '</script>', '&amp;'] };
    const json = jsonForScript(value);
    expect(json).not.toMatch(/[<>&\u2028\u2029]/);
    expect(json).not.toMatch(/[\ud800-\udfff]/);
    expect(JSON.parse(json)).toEqual(JSON.parse(JSON.stringify(value)));
  });
});

describe('the sample browser in report.html', () => {
  it('embeds every final sample, not only discordant tasks, with its transcript', async () => {
    const run = await sampleRun();
    const samples = embedded(renderHtml(run.results, run.manifest, run.records));
    // 12 tasks × 2 arms; the retried tools attempt of t04 is replaced by its retry.
    expect(samples).toHaveLength(24);
    const t04 = samples.find((s) => s.task === 't04' && s.arm === 'tools')!;
    expect(t04.attempt).toBe(1);
    // t01 is correct in both arms, so it was never shown before; now it is.
    const t01 = samples.find((s) => s.task === 't01' && s.arm === 'no-tools')!;
    expect(t01).toMatchObject({ verdict: 'correct', ok: true, tags: ['facts'] });
    expect(t01.d.messages.map((m) => (m as { role: string }).role)).toEqual([
      'system',
      'user',
      'assistant',
    ]);
    const infra = samples.find((s) => s.task === 't09' && s.arm === 'no-tools')!;
    expect(infra).toMatchObject({ verdict: 'infra error', err: 'infra', status: 'error' });
  });

  it('keeps hostile model text inside its data element, byte for byte', async () => {
    const run = await sampleRun();
    const html = renderHtml(run.results, run.manifest, withHostileTranscript(run));
    const { document } = parseHTML(html);
    expect(document.querySelectorAll('script')).toHaveLength(3);
    expect(document.querySelectorAll('img')).toHaveLength(0);
    const sample = embedded(html).find((s) => s.id === 't03-tools-0-0')!;
    const last = sample.d.messages.at(-1) as { content: string };
    // Controls and lone surrogates are not text: they become U+FFFD, as in the rest of the page.
    expect(last.content).toBe(
      HOSTILE_TRANSCRIPT.replace('\ud800', '\ufffd').replace('\u0000', '\ufffd'),
    );
  });

  it('allows its one inline script by hash and nothing else', async () => {
    const run = await sampleRun();
    const html = renderHtml(run.results, run.manifest, run.records);
    const { document } = parseHTML(html);
    const code = document.querySelector('script:not([type])')!.textContent!;
    const hash = createHash('sha256').update(code).digest('base64');
    const csp = document
      .querySelector('meta[http-equiv="Content-Security-Policy"]')!
      .getAttribute('content');
    expect(csp).toContain(`script-src 'sha256-${hash}'`);
    expect(csp).toMatch(/^default-src 'none';/);
    expect(code).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(/);
  });

  it('lists every infra error attempt with task, arm, sample, attempt and message', async () => {
    const run = await sampleRun();
    const { document } = parseHTML(renderHtml(run.results, run.manifest, run.records));
    const rows = [...document.querySelectorAll('.infra-list tbody tr')].map((tr) =>
      [...tr.children].map((c) => c.textContent),
    );
    expect(rows).toEqual([
      ['t04', 'tools', '0', '1', 'retried', 'MODEL_UNREACHABLE', 'connection refused'],
      ['t09', 'no-tools', '0', '1', 'excluded', 'MODEL_UNREACHABLE', 'connection refused'],
    ]);
  });

  it('shows sampling settings and when the run started, ended and was scored', async () => {
    const run = await sampleRun();
    const results = { ...run.results, created_at: '2026-01-02T00:00:00.000Z' };
    const manifest = {
      ...run.manifest,
      sampling: { temperature: 0.7, top_p: null, max_tokens: 512 },
    };
    const { document } = parseHTML(renderHtml(results, manifest, run.records));
    const facts = new Map(
      [...document.querySelectorAll('.run-info dt')].map((dt) => [
        dt.textContent,
        dt.nextElementSibling?.textContent ?? '',
      ]),
    );
    expect(facts.get('Sampling')).toContain(
      'asked for temperature 0.7 · top_p model default · max_tokens 512',
    );
    expect(facts.get('Sampling')).toContain(
      'temperature 0.7 · top_p model default · max_tokens model default (every sample)',
    );
    const ends = run.records.map((r) => r.timing.ended_at).sort();
    expect(facts.get('Started')).toBe(run.manifest.created_at);
    expect(facts.get('Ended')).toContain(ends.at(-1));
    expect(facts.get('Results computed')).toBe('2026-01-02T00:00:00.000Z');
  });

  it('puts the run end and sampling settings in report.md too', async () => {
    const run = await sampleRun();
    const md = renderMarkdown(run.results, run.manifest, run.records);
    const end = run.records
      .map((r) => r.timing.ended_at)
      .sort()
      .at(-1)!;
    expect(md).toContain(`started ${run.manifest.created_at}, ended ${end} (last episode)`);
    expect(md).toContain(
      '- Sampling: temperature 0.7, top\\_p default, max\\_tokens default (24 samples)',
    );
  });
});

const chromium = await requireChromium();

// Each case starts a browser, which takes seconds on a loaded machine.
describe.skipIf(chromium.path === null)(
  'report.html in headless Chromium',
  { timeout: 240_000 },
  () => {
    let dir = '';
    let file = '';
    let browser: CdpBrowser;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'assay-report-browser-'));
      file = join(dir, 'report.html');
      const run = await sampleRun();
      await writeFile(file, renderHtml(run.results, run.manifest, withHostileTranscript(run)));
      browser = CdpBrowser.launch(chromium.path!, join(dir, 'profile'));
    });
    afterAll(async () => {
      await browser?.close();
      await rm(dir, { recursive: true, force: true });
    });
    // The DOM once the page marked itself ready (for a search or a sample, after the
    // transcripts were inflated), on the page's real clock however loaded the machine is.
    const open = async (hash?: string) => {
      const url = `${pathToFileURL(file).href}${hash === undefined ? '' : `#${hash}`}`;
      const { value } = await openDrawn(browser, url, 'document.documentElement.outerHTML', {
        timeoutMs: 120_000,
      });
      return parseHTML(`<!DOCTYPE html>${value as string}`).document;
    };

    it('draws the sample list and runs no script from the transcript', async () => {
      const document = await open();
      expect(document.documentElement.getAttribute('data-browser-ready')).toMatch(/^\d+$/);
      expect(document.title).not.toContain('pwned');
      expect(document.getElementById('sb-count')!.textContent).toBe('24 samples');
      expect(document.querySelectorAll('#sb-rows .sb-row')).toHaveLength(24);
      expect(document.querySelectorAll('script')).toHaveLength(3);
    });

    it('filters by arm and verifier result, and by tag and error class, from the address', async () => {
      let document = await open('arm=no-tools&verifier=incorrect');
      // no-tools fails t00, t03, t06 and t10; t09 was lost to infra and has no verdict.
      const tasks = [...document.querySelectorAll('#sb-rows .sb-row')].map(
        (r) => r.children[1]!.textContent,
      );
      expect(tasks).toEqual(['t00', 't03', 't06', 't10']);
      document = await open('tag=arithmetic&error=infra');
      expect(document.getElementById('sb-count')!.textContent).toBe('1 of 24 samples');
    });

    it('searches transcript text and sorts by a column', async () => {
      let document = await open('q=SEPARATOR');
      expect(document.getElementById('sb-count')!.textContent).toBe('1 of 24 samples');
      document = await open('sort=-ms&arm=tools');
      const first = document.querySelector('#sb-rows .sb-row')!;
      expect(first.children[1]!.textContent).toBe('t11');
      expect(document.querySelector('[data-sort="ms"]')!.getAttribute('aria-sort')).toBe(
        'descending',
      );
    });

    it('opens a sample onto its timeline of steps, tool calls, policy and verifier', async () => {
      const document = await open('sample=t03-tools-0-0');
      const detail = document.getElementById('sb-detail')!;
      expect(detail.querySelector('h3')!.textContent).toContain('t03 · tools · sample 0');
      const kinds = [...detail.querySelectorAll('.sb-kind')].map((k) => k.textContent);
      expect(kinds).toEqual([
        'system',
        'user',
        'model step 1',
        'tool call',
        'tool result · calculator',
        'model step 2',
        'user',
        'model step 3',
      ]);
      const call = detail.querySelector('.sb-ev.call')!;
      expect(call.textContent).toContain('policy: allow');
      expect(detail.querySelector('.sb-verifier h4')!.textContent).toBe('Verifier math 2: correct');
      const texts = [...detail.querySelectorAll('.sb-ev.assistant pre')].map((p) => p.textContent);
      // Shown as text: the markup is there verbatim (a lone surrogate comes out as U+FFFD).
      for (const line of HOSTILE_TRANSCRIPT.split('\n').filter((l) => !l.includes('\ud800'))) {
        expect(texts.at(-1)).toContain(line);
      }
      expect(document.title).not.toContain('pwned');
    });
  },
);
