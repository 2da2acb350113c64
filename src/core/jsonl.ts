import { type FileHandle, open } from 'node:fs/promises';
import { throwIfAborted } from './abort.js';
import { AssayError, errorMessage, UsageError } from './errors.js';
import { splitLines } from './line-splitter.js';

/** One non-blank line of a text file, numbered from 1 as an editor shows it. */
export interface TextLine {
  line: number;
  text: string;
  /** False for a last line with no newline (a record a crash may have cut short). */
  terminated: boolean;
  /** Set, with `text` empty, for a line longer than `maxLineBytes`: its length in bytes. */
  oversized?: number;
}

export interface ReadLinesOptions {
  signal?: AbortSignal;
  /** Receives every byte read, so a caller can hash the file in the same pass. */
  onChunk?: (chunk: Buffer) => void;
  /** What the file is in error messages (`trace file`); default `file`. */
  noun?: string;
  /** Longer lines are not read into memory but reported with `oversized`; default no limit. */
  maxLineBytes?: number;
}

const BYTE_ORDER_MARK = '\uFEFF';

/**
 * Streams the lines of a JSONL (or any line-based) file, never holding more than one line in
 * memory: a leading byte-order mark is dropped, blank lines are skipped but still counted.
 * A missing file is a `FILE_NOT_FOUND` UsageError and an unreadable one `INPUT_INVALID`, both
 * naming the path. The one reader behind suites, imports and trace files.
 */
export async function* readTextLines(
  path: string,
  options: ReadLinesOptions = {},
): AsyncGenerator<TextLine> {
  const noun = options.noun ?? 'file';
  const handle = await openInput(path, noun);
  try {
    let line = 0;
    for await (const raw of splitLines(tap(handle, options.onChunk), options.maxLineBytes)) {
      line++;
      throwIfAborted(options.signal);
      if (raw.oversized !== undefined) {
        yield { line, text: '', terminated: raw.terminated, oversized: raw.oversized };
        continue;
      }
      const text =
        line === 1 && raw.text.startsWith(BYTE_ORDER_MARK) ? raw.text.slice(1) : raw.text;
      if (text.trim() === '') continue;
      yield { line, text, terminated: raw.terminated };
    }
  } catch (error) {
    if (error instanceof AssayError || !isNodeError(error)) throw error;
    throw new UsageError('INPUT_INVALID', `cannot read ${named(noun, path)}: ${error.message}`, {
      cause: error,
    });
  } finally {
    await handle.close();
  }
}

async function* tap(handle: FileHandle, onChunk: ((chunk: Buffer) => void) | undefined) {
  for await (const chunk of handle.createReadStream({ autoClose: false })) {
    const bytes = chunk as Buffer;
    onChunk?.(bytes);
    yield bytes;
  }
}

async function openInput(path: string, noun: string): Promise<FileHandle> {
  try {
    return await open(path, 'r');
  } catch (error) {
    if (isNodeError(error) && error.code === 'ENOENT') {
      throw new UsageError('FILE_NOT_FOUND', `${noun} not found: ${path}`, { cause: error });
    }
    throw new UsageError(
      'INPUT_INVALID',
      `cannot open ${named(noun, path)}: ${errorMessage(error)}`,
      { cause: error },
    );
  }
}

/** `trace file x.jsonl`, or just the path for a plain file. */
function named(noun: string, path: string): string {
  return noun === 'file' ? path : `${noun} ${path}`;
}

function isNodeError(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && 'code' in error && typeof error.code === 'string';
}
