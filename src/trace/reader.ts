import { type FileHandle, open } from 'node:fs/promises';
import { throwIfAborted } from '../core/abort.js';
import { AssayError, errorMessage, UsageError } from '../core/errors.js';
import { splitLines } from '../core/line-splitter.js';
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
  | { line: number; error: string; raw: string; torn: boolean };

export interface ReadTraceOptions {
  signal?: AbortSignal;
}

const BYTE_ORDER_MARK = '\uFEFF';
const TORN_AT_END = 'torn last line skipped (a crash mid-write?)';
const TORN_INSIDE = 'torn line skipped (a crash cut this record short; later lines are intact)';

/** Streams a trace file line by line; the file is never loaded whole. Blank lines are skipped. */
export async function* readTraceLines(
  path: string,
  options: ReadTraceOptions = {},
): AsyncGenerator<TraceLine> {
  const handle = await openTraceFile(path);
  try {
    let line = 0;
    for await (const raw of splitLines(handle.createReadStream({ autoClose: false }))) {
      line++;
      throwIfAborted(options.signal);
      const text =
        line === 1 && raw.text.startsWith(BYTE_ORDER_MARK) ? raw.text.slice(1) : raw.text;
      if (text.trim() === '') continue;
      const parsed = parseTraceLine(text);
      if (parsed.ok) {
        yield { line, record: parsed.record };
        continue;
      }
      // A write cut short by a crash leaves an unterminated JSON prefix: at the end of the file,
      // or before the newline a later writer adds so that its own record starts on a fresh line.
      const jsonFailed = parsed.error.startsWith('not valid JSON');
      if (jsonFailed && !raw.terminated) {
        yield { line, error: TORN_AT_END, raw: text, torn: true };
      } else if (jsonFailed && isTruncatedJson(text)) {
        yield { line, error: TORN_INSIDE, raw: text, torn: true };
      } else {
        yield { line, error: parsed.error, raw: text, torn: false };
      }
    }
  } catch (error) {
    if (error instanceof AssayError || !isNodeError(error)) throw error;
    throw new UsageError('INPUT_INVALID', `cannot read trace file ${path}: ${error.message}`, {
      cause: error,
    });
  } finally {
    await handle.close();
  }
}

export interface ReadTracesOptions extends ReadTraceOptions {
  /** Called for each torn line: `<file>:<line>: torn last line skipped (a crash mid-write?)`. */
  onWarning?: (message: string) => void;
}

/**
 * Reads every record of a trace file. Torn lines are skipped with a warning; any other bad
 * line throws a `TRACE_INVALID` UsageError naming the file and line.
 */
export async function readTraces(
  path: string,
  options: ReadTracesOptions = {},
): Promise<TraceRecord[]> {
  const records: TraceRecord[] = [];
  for await (const entry of readTraceLines(path, options)) {
    if ('record' in entry) records.push(entry.record);
    else if (entry.torn) options.onWarning?.(`${path}:${entry.line}: ${entry.error}`);
    else throw new UsageError('TRACE_INVALID', `${path}:${entry.line}: ${entry.error}`);
  }
  return records;
}

async function openTraceFile(path: string): Promise<FileHandle> {
  try {
    return await open(path, 'r');
  } catch (error) {
    if (isNodeError(error) && error.code === 'ENOENT') {
      throw new UsageError('FILE_NOT_FOUND', `trace file not found: ${path}`, { cause: error });
    }
    throw new UsageError(
      'INPUT_INVALID',
      `cannot open trace file ${path}: ${errorMessage(error)}`,
      {
        cause: error,
      },
    );
  }
}

function isNodeError(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && 'code' in error;
}
