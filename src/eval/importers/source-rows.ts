import { basename } from 'node:path';
import { UsageError } from '../../core/errors.js';
import { isPlainObject } from '../../core/json.js';
import { readJsonl } from '../jsonl-file.js';

/** A JSON object read from a dataset file, with its 0-based row index and 1-based line. */
export interface SourceRow {
  index: number;
  line: number;
  value: Record<string, unknown>;
}

/** Reads every row of a JSONL dataset; a line that is not a JSON object is an error. */
export async function readSourceRows(path: string, signal?: AbortSignal): Promise<SourceRow[]> {
  const rows: SourceRow[] = [];
  for await (const entry of readJsonl(path, signal === undefined ? {} : { signal })) {
    if ('error' in entry) throw rowError(path, entry.line, entry.error);
    if (!isPlainObject(entry.value)) throw rowError(path, entry.line, 'expected a JSON object');
    rows.push({ index: rows.length, line: entry.line, value: entry.value });
  }
  if (rows.length === 0)
    throw new UsageError('INPUT_INVALID', `${basename(path)}: the file has no rows`);
  return rows;
}

/** A string field of a source row, or an error naming the file, line and field. */
export function stringField(path: string, row: SourceRow, field: string): string {
  const value = row.value[field];
  if (typeof value !== 'string') {
    throw rowError(
      path,
      row.line,
      `"${field}": expected string, got ${value === undefined ? 'nothing' : typeof value}`,
    );
  }
  return value;
}

export function rowError(path: string, line: number, message: string): UsageError {
  return new UsageError('INPUT_INVALID', `${basename(path)}:${line}: ${message}`);
}
