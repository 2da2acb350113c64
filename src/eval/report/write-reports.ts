import { join } from 'node:path';
import { writeFileAtomic } from '../../core/atomic-file.js';
import { UsageError } from '../../core/errors.js';
import { readTraceLines } from '../../trace/reader.js';
import type { TraceRecord } from '../../trace/schema.js';
import type { RunManifest } from '../run/manifest.js';
import type { EvalResults } from '../stats/results.js';
import { renderHtml } from './html.js';
import { renderMarkdown } from './markdown.js';
import type { ReportOptions } from './report-data.js';

export const REPORT_MD_FILE = 'report.md';
export const REPORT_HTML_FILE = 'report.html';
const TRACES_FILE = 'traces.jsonl';

export interface WriteReportsOptions extends ReportOptions {
  signal?: AbortSignal;
}

/**
 * Writes `DIR/report.md` and `DIR/report.html`, each atomically, and returns their paths.
 * Links to trace lines come from `options.traceLines`, or from reading `DIR/traces.jsonl`
 * when it is not given (a missing trace file just means no line numbers).
 */
export async function writeReports(
  dir: string,
  results: EvalResults,
  manifest: RunManifest,
  records: readonly TraceRecord[],
  options: WriteReportsOptions = {},
): Promise<{ md: string; html: string }> {
  const traceLines =
    options.traceLines ?? (await traceLinesOf(join(dir, TRACES_FILE), options.signal));
  const renderOptions: ReportOptions = { ...options, traceLines };
  const md = join(dir, REPORT_MD_FILE);
  const html = join(dir, REPORT_HTML_FILE);
  await writeFileAtomic(md, [renderMarkdown(results, manifest, records, renderOptions)]);
  await writeFileAtomic(html, [renderHtml(results, manifest, records, renderOptions)]);
  return { md, html };
}

/** Line number of each record in a trace file, by trace id; the last line wins on repeats. */
export async function traceLinesOf(
  path: string,
  signal?: AbortSignal,
): Promise<Map<string, number>> {
  const lines = new Map<string, number>();
  try {
    for await (const entry of readTraceLines(path, signal === undefined ? {} : { signal })) {
      if ('record' in entry) lines.set(entry.record.trace_id, entry.line);
    }
  } catch (error) {
    if (error instanceof UsageError && error.code === 'FILE_NOT_FOUND') return lines;
    throw error;
  }
  return lines;
}
