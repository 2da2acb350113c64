import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { ReportModel } from '../report-data.js';
import { BROWSER_SCRIPT } from './browser-script.js';
import { escapeHtml as esc } from './escape.js';
import { section } from './layout.js';
import { browserSample, jsonForScript, tagsOf } from './sample-data.js';

/**
 * The page's Content-Security-Policy: no network of any kind, styles inline, and exactly one
 * script, the sample browser, allowed by its hash. Text from a trace can never run, even if
 * it were to reach the markup unescaped.
 */
export function contentSecurityPolicy(): string {
  const hash = createHash('sha256').update(BROWSER_SCRIPT).digest('base64');
  return `default-src 'none'; script-src 'sha256-${hash}'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'`;
}

const COLUMNS: [key: string, label: string, numeric: boolean][] = [
  ['verdict', 'verdict', false],
  ['task', 'task', false],
  ['arm', 'arm', false],
  ['s', 'sample', true],
  ['status', 'outcome', false],
  ['calls', 'calls', true],
  ['tokens', 'tokens', true],
  ['ms', 'latency', true],
  ['answer', 'final answer', false],
];

/** Every sample of the run: filters, search, a sortable virtual list and a detail pane. */
export function sampleBrowserSection(model: ReportModel): string {
  const taskTags = new Map<string, string[]>();
  for (const { record } of model.samples) {
    const tags = tagsOf(record);
    if (tags !== undefined && record.task_id !== null) taskTags.set(record.task_id, tags);
  }
  const data = model.samples.map((s) => browserSample(s.record, s.line, taskTags));
  const select = (id: string, label: string) =>
    `<label>${esc(label)} <select id="sb-${id}"><option value="">all</option></select></label>`;
  const head = COLUMNS.map(
    ([key, label, numeric]) =>
      `<span role="columnheader" data-sort="${key}" tabindex="0"${numeric ? ' class="num"' : ''}>${esc(label)}</span>`,
  ).join('');
  return section('samples', 'Samples', [
    '<p class="note">Every sample’s last attempt. Filter, search the prompt, answer and transcript, sort by a column, and open a sample to read its timeline. The view is kept in the address, so it can be linked.</p>',
    '<div class="sb-controls">',
    select('arm', 'arm'),
    select('tag', 'tag'),
    select('status', 'outcome'),
    select('verifier', 'verifier'),
    select('error', 'error'),
    '<label class="sb-search">search <input id="sb-q" type="search" placeholder="prompt, answer or transcript text" autocomplete="off"></label>',
    '<span id="sb-count" class="muted" aria-live="polite"></span>',
    '</div>',
    `<div class="sb-list" role="table" aria-label="Samples"><div id="sb-head" class="sb-row sb-head" role="row">${head}</div>`,
    '<div id="sb-scroll" class="sb-scroll" tabindex="0"><div id="sb-spacer" class="sb-spacer"><div id="sb-rows" class="sb-rows" role="rowgroup"></div></div></div></div>',
    '<div id="sb-detail" class="sb-detail" aria-live="polite"><p class="muted">The sample browser needs JavaScript; every transcript is also in the trace file.</p></div>',
    // Gzipped and base64-encoded: a 10,000-sample run is tens of MB of JSON, which the browser
    // would otherwise tokenize as HTML before any script runs. Base64 has no `<` to escape.
    // The list's fields first, the transcripts apart: the list is drawn before they are read.
    `<script type="application/gzip+base64" id="assay-samples">${packed(data.map(({ d: _, ...summary }) => summary))}</script>`,
    `<script type="application/gzip+base64" id="assay-details">${packed(data.map((s) => s.d))}</script>`,
    `<script>${BROWSER_SCRIPT}</script>`,
  ]);
}

function packed(value: unknown): string {
  return gzipSync(jsonForScript(value)).toString('base64');
}
