import { stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import pLimit from 'p-limit';
import { throwIfAborted } from '../../core/abort.js';
import { writeFileAtomic } from '../../core/atomic-file.js';
import { AssayError, UsageError } from '../../core/errors.js';
import { checkTraceRecord } from '../../trace/parse-record.js';
import { readTraceLines } from '../../trace/reader.js';
import type { TraceRecord } from '../../trace/schema.js';
import { type RunManifest, readManifest } from '../run/manifest.js';
import { scoreRecord } from '../score.js';
import { aggregate } from '../stats/aggregate.js';
import { collapseDecisions, redecide, strategyOf } from '../stats/decisions.js';
import type { EvalResults } from '../stats/results.js';
import { loadSuite, type Suite } from '../suite.js';
import type { Task } from '../task-schema.js';
import type { VerifierContext } from '../verifiers/types.js';
import { writeReports } from './write-reports.js';

export interface RescoreOptions {
  signal?: AbortSignal;
  /** Suite changed since the run, records of unknown tasks, torn lines. */
  onWarning?: (message: string) => void;
  /** What verifiers need (`codeRunner` for `code_tests`). */
  verifierContext?: VerifierContext;
  /** Records scored at once (default 8); matters for verifiers that run code. */
  concurrency?: number;
}

type Entry = { record: TraceRecord } | { raw: string };

/**
 * `assay eval rescore DIR`: scores every saved episode of the run again with the suite's
 * current verifiers, without sampling. `traces.jsonl` is rewritten in place, line order kept
 * (temporary file, fsync, rename); then `results.json` and the reports are rebuilt. Records
 * of other runs or of tasks no longer in the suite, and lines a crash cut short, are kept as
 * they were. The suite is `suitePath` if given, else the one the run recorded; a suite whose
 * sha256 differs from the run's gives a warning, not an error, since fixing answers is the
 * usual reason to rescore.
 */
export async function rescoreRun(
  dir: string,
  suitePath?: string,
  options: RescoreOptions = {},
): Promise<EvalResults> {
  const outDir = resolve(dir);
  const manifest = await readManifest(outDir);
  if (manifest === null) {
    throw new UsageError(
      'FILE_NOT_FOUND',
      `${join(outDir, 'run.json')} not found: ${outDir} is not an assay eval run`,
    );
  }
  const suite = await loadRunSuite(outDir, manifest, suitePath, options.signal);
  if (suite.sha256 !== manifest.suite.sha256) {
    options.onWarning?.(
      `${suite.path} is not the suite this run used (sha256 ${suite.sha256.slice(0, 12)}, the run had ${manifest.suite.sha256.slice(0, 12)}); rescoring with its current tasks`,
    );
  }

  const tracesPath = join(outDir, 'traces.jsonl');
  const sizeBefore = (await stat(tracesPath).catch(() => null))?.size ?? null;
  const entries = await readEntries(tracesPath, options);
  const tasks = new Map<string, Task>(suite.tasks.map((t) => [t.id, t]));
  const limit = pLimit(Math.max(1, options.concurrency ?? 8));
  const ctx: VerifierContext = {
    ...options.verifierContext,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  };
  const unknownTasks = new Set<string>();
  const rescored = await Promise.all(
    entries.map((entry) =>
      limit(async (): Promise<Entry> => {
        if (!('record' in entry) || entry.record.run_id !== manifest.run_id) return entry;
        const { record } = entry;
        const task = record.task_id === null ? undefined : tasks.get(record.task_id);
        if (task === undefined) {
          if (record.task_id !== null) unknownTasks.add(record.task_id);
          return entry;
        }
        throwIfAborted(options.signal);
        // A judge's answer is a candidate number, not an answer to the task: redecide() below
        // gives it the reward of its pick.
        if (strategyOf(record)?.role === 'judge') return entry;
        return { record: checked(await scoreRecord(record, task, ctx)) };
      }),
    ),
  );
  if (unknownTasks.size > 0) {
    const names = [...unknownTasks].slice(0, 5).join(', ');
    options.onWarning?.(
      `${unknownTasks.size} task(s) of this run are not in ${suite.path} (${names}${unknownTasks.size > 5 ? ', …' : ''}); their records were kept as they were`,
    );
  }

  redecide(rescored.flatMap((e) => ('record' in e ? [e.record] : [])));
  throwIfAborted(options.signal);
  const sizeNow = (await stat(tracesPath).catch(() => null))?.size ?? null;
  if (sizeNow !== sizeBefore) {
    throw new UsageError(
      'USAGE',
      `${tracesPath} changed while it was being rescored (is a run still writing to it?); nothing was replaced`,
    );
  }
  if (sizeBefore !== null) {
    await writeFileAtomic(
      tracesPath,
      rescored.map((e) => `${'record' in e ? JSON.stringify(e.record) : e.raw}\n`),
    );
  }

  const records = rescored.flatMap((e) => ('record' in e ? [e.record] : []));
  const traceLines = new Map<string, number>();
  rescored.forEach((e, i) => {
    if ('record' in e) traceLines.set(e.record.trace_id, i + 1);
  });
  const ofRun = records.filter((r) => r.run_id === manifest.run_id);
  const results = aggregate(collapseDecisions(ofRun), {
    arms: manifest.arms.map((a) => a.name),
    tasks: suite.tasks,
    runId: manifest.run_id,
    suite: manifest.suite,
    model: manifest.model,
    // Results are stamped when computed, now: the run's start is in run.json.
  });
  await writeFileAtomic(join(outDir, 'results.json'), [`${JSON.stringify(results, null, 2)}\n`]);
  await writeReports(outDir, results, manifest, records, {
    traceLines,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  return results;
}

/**
 * The suite to score with. A relative path recorded in `run.json` was relative to where the
 * run was started; when it does not resolve from here, the run folder is tried next.
 */
async function loadRunSuite(
  dir: string,
  manifest: RunManifest,
  override: string | undefined,
  signal: AbortSignal | undefined,
): Promise<Suite> {
  const opts = signal === undefined ? {} : { signal };
  if (override !== undefined) return loadSuite(override, opts);
  const recorded = manifest.suite.path;
  try {
    return await loadSuite(recorded, opts);
  } catch (error) {
    if (!(error instanceof AssayError && error.code === 'FILE_NOT_FOUND')) throw error;
    if (!isAbsolute(recorded)) {
      try {
        return await loadSuite(join(dir, recorded), opts);
      } catch (again) {
        if (!(again instanceof AssayError && again.code === 'FILE_NOT_FOUND')) throw again;
      }
    }
    throw new UsageError(
      'FILE_NOT_FOUND',
      `the run's suite ${recorded} was not found; give the suite file to rescore with`,
      { cause: error },
    );
  }
}

async function readEntries(path: string, options: RescoreOptions): Promise<Entry[]> {
  const entries: Entry[] = [];
  try {
    for await (const line of readTraceLines(
      path,
      options.signal === undefined ? {} : { signal: options.signal },
    )) {
      if ('record' in line) {
        entries.push({ record: line.record });
      } else if (line.torn) {
        // Kept verbatim: the runner reads a torn line as "not done", and rescoring must not
        // change what a later --resume will do.
        options.onWarning?.(`${path}:${line.line}: ${line.error}; kept as it was`);
        entries.push({ raw: line.raw });
      } else {
        throw new UsageError('TRACE_INVALID', `${path}:${line.line}: ${line.error}`);
      }
    }
  } catch (error) {
    if (error instanceof UsageError && error.code === 'FILE_NOT_FOUND') return [];
    throw error;
  }
  return entries;
}

/** A rescored record that no longer fits the schema is a bug; it must never be written. */
function checked(record: TraceRecord): TraceRecord {
  const check = checkTraceRecord(record);
  if (!check.ok) {
    throw new AssayError('INTERNAL', `rescoring trace ${record.trace_id} broke it: ${check.error}`);
  }
  return record;
}
