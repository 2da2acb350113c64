import { UsageError } from '../core/errors.js';
import { readTextLines } from '../core/jsonl.js';
import { isTruncatedJson } from './json-prefix.js';
import { parseTraceLine } from './parse-record.js';
import type { TraceRecord } from './schema.js';

/**
 * One line of a trace file: a valid record, or what is wrong with it (`raw` is the line's
 * text). `torn` marks a record a crash cut short mid-write; such a line is skipped with a
 * warning, not treated as bad data.
 */
export type TraceLine =
  | { line: number; record: TraceRecord }
  | { line: number; error: string; raw: string; torn: boolean; oversized?: boolean };

export interface ReadTraceOptions {
  signal?: AbortSignal;
}

/**
 * The longest line a reader accepts: four times what the writer ever writes (docs/traces.md),
 * so files from older versions still read, while one huge line cannot exhaust memory.
 */
export const TRACE_READ_MAX_LINE_BYTES = 64 << 20;

/** How every line `TraceWriter` writes begins (it puts the version first on purpose). */
export const RECORD_START = '{"schema_version":';
const TORN_AT_END = 'torn last line skipped (a crash mid-write?)';
const TORN_INSIDE = 'torn line skipped (a crash cut this record short; later lines are intact)';

/** Streams a trace file line by line; the file is never loaded whole. Blank lines are skipped. */
export async function* readTraceLines(
  path: string,
  options: ReadTraceOptions = {},
): AsyncGenerator<TraceLine> {
  for await (const { line, text, terminated, oversized } of readTextLines(path, {
    ...options,
    noun: 'trace file',
    maxLineBytes: TRACE_READ_MAX_LINE_BYTES,
  })) {
    if (oversized !== undefined) {
      const error = `line of ${oversized} bytes is longer than the ${TRACE_READ_MAX_LINE_BYTES} bytes a trace line may hold; skipped`;
      yield { line, error, raw: '', torn: false, oversized: true };
      continue;
    }
    const parsed = parseTraceLine(text);
    if (parsed.ok) {
      yield { line, record: parsed.record };
      continue;
    }
    // A write cut short by a crash leaves an unterminated JSON prefix at the end of the file.
    // Only one other place can hold one: before the newline a later TraceWriter adds so that
    // its own record starts on a fresh line. That line starts as every record the writer
    // writes starts; anything else in the middle of a file is bad data, never a torn write.
    const jsonFailed = parsed.error.startsWith('not valid JSON');
    if (jsonFailed && !terminated) {
      yield { line, error: TORN_AT_END, raw: text, torn: true };
    } else if (jsonFailed && text.startsWith(RECORD_START) && isTruncatedJson(text)) {
      yield { line, error: TORN_INSIDE, raw: text, torn: true };
    } else {
      yield { line, error: parsed.error, raw: text, torn: false };
    }
  }
}

export interface ReadTracesOptions extends ReadTraceOptions {
  /** Called for each torn line: `<file>:<line>: torn last line skipped (a crash mid-write?)`. */
  onWarning?: (message: string) => void;
}

/**
 * Reads every record of a trace file. Torn lines and lines too long to read are skipped with a
 * warning (an eval reruns their episodes on --resume); any other bad line throws a
 * `TRACE_INVALID` UsageError naming the file and line.
 */
export async function readTraces(
  path: string,
  options: ReadTracesOptions = {},
): Promise<TraceRecord[]> {
  const records: TraceRecord[] = [];
  for await (const entry of readTraceLines(path, options)) {
    if ('record' in entry) records.push(entry.record);
    else if (entry.torn || entry.oversized === true)
      options.onWarning?.(`${path}:${entry.line}: ${entry.error}`);
    else throw new UsageError('TRACE_INVALID', `${path}:${entry.line}: ${entry.error}`);
  }
  return records;
}
