import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { UsageError } from '../../core/errors.js';
import { isPlainObject, safeJsonParse } from '../../core/json.js';
import { readTraces } from '../../trace/reader.js';
import { readManifest } from '../run/manifest.js';
import type { EvalResults } from '../stats/results.js';
import { traceLinesOf, writeReports } from './write-reports.js';

export interface RunReportsOptions {
  signal?: AbortSignal;
  onWarning?: (message: string) => void;
}

/**
 * Writes the reports of a finished run from what it left in `DIR` (`run.json`,
 * `results.json`, `traces.jsonl`): what `assay eval` calls after `runEval`, and a way to
 * redraw the reports of an older run. Returns the two paths.
 */
export async function writeRunReports(
  dir: string,
  options: RunReportsOptions = {},
): Promise<{ md: string; html: string }> {
  const outDir = resolve(dir);
  const manifest = await readManifest(outDir);
  if (manifest === null) {
    throw new UsageError(
      'FILE_NOT_FOUND',
      `${join(outDir, 'run.json')} not found: ${outDir} is not an assay eval run`,
    );
  }
  const results = await readResults(join(outDir, 'results.json'));
  const signal = options.signal === undefined ? {} : { signal: options.signal };
  const tracesPath = join(outDir, 'traces.jsonl');
  const records = await readTraces(tracesPath, {
    ...signal,
    ...(options.onWarning === undefined ? {} : { onWarning: options.onWarning }),
  }).catch((error: unknown) => {
    if (error instanceof UsageError && error.code === 'FILE_NOT_FOUND') return [];
    throw error;
  });
  const traceLines = await traceLinesOf(tracesPath, options.signal);
  return writeReports(outDir, results, manifest, records, { ...signal, traceLines });
}

async function readResults(path: string): Promise<EvalResults> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError('FILE_NOT_FOUND', `${path} not found: has the run finished?`, {
      cause: error,
    });
  }
  const parsed = safeJsonParse(text);
  if (!parsed.ok) throw new UsageError('INPUT_INVALID', `${path}: not valid JSON: ${parsed.error}`);
  const value = parsed.value;
  for (const key of ['arms', 'paired', 'by_tag']) {
    if (!isPlainObject(value) || !isPlainObject(value[key])) {
      throw new UsageError('INPUT_INVALID', `${path}: ${key}: expected an object`);
    }
  }
  // Written by `aggregate`; the checks above catch a file that is not results at all.
  return value as unknown as EvalResults;
}
