import { createHash } from 'node:crypto';
import { type FileHandle, open } from 'node:fs/promises';
import { throwIfAborted } from '../core/abort.js';
import { AssayError, errorMessage, UsageError } from '../core/errors.js';
import { safeJsonParse } from '../core/json.js';
import { splitLines } from '../core/line-splitter.js';

/** One non-blank line of a JSONL file: its parsed value, or why it is not JSON. */
export type JsonlLine = { line: number; value: unknown } | { line: number; error: string };

export interface ReadJsonlOptions {
  signal?: AbortSignal;
  /** Receives every byte read, so a caller can hash the file in the same pass. */
  onChunk?: (chunk: Buffer) => void;
}

const BYTE_ORDER_MARK = '\uFEFF';

/**
 * Streams a JSONL file line by line, never holding more than one line in memory. Lines are
 * numbered from 1 as an editor shows them; blank lines are skipped but still counted.
 */
export async function* readJsonl(
  path: string,
  options: ReadJsonlOptions = {},
): AsyncGenerator<JsonlLine> {
  const handle = await openInput(path);
  try {
    let line = 0;
    for await (const raw of splitLines(tap(handle, options.onChunk))) {
      line++;
      throwIfAborted(options.signal);
      const text =
        line === 1 && raw.text.startsWith(BYTE_ORDER_MARK) ? raw.text.slice(1) : raw.text;
      if (text.trim() === '') continue;
      const parsed = safeJsonParse(text);
      yield parsed.ok
        ? { line, value: parsed.value }
        : { line, error: `not valid JSON: ${parsed.error}` };
    }
  } catch (error) {
    if (!(error instanceof AssayError) && isNodeError(error)) {
      throw new UsageError('INPUT_INVALID', `cannot read ${path}: ${error.message}`, {
        cause: error,
      });
    }
    throw error;
  } finally {
    await handle.close();
  }
}

/** A sha256 accumulator to pass as `onChunk`; `digest()` is valid once reading is done. */
export function sha256Accumulator(): { onChunk: (chunk: Buffer) => void; digest: () => string } {
  const hash = createHash('sha256');
  return { onChunk: (chunk) => hash.update(chunk), digest: () => hash.digest('hex') };
}

async function* tap(handle: FileHandle, onChunk: ((chunk: Buffer) => void) | undefined) {
  for await (const chunk of handle.createReadStream({ autoClose: false })) {
    const bytes = chunk as Buffer;
    onChunk?.(bytes);
    yield bytes;
  }
}

async function openInput(path: string): Promise<FileHandle> {
  try {
    return await open(path, 'r');
  } catch (error) {
    if (isNodeError(error) && error.code === 'ENOENT') {
      throw new UsageError('FILE_NOT_FOUND', `file not found: ${path}`, { cause: error });
    }
    const message = errorMessage(error);
    throw new UsageError('INPUT_INVALID', `cannot open ${path}: ${message}`, { cause: error });
  }
}

function isNodeError(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && 'code' in error && typeof error.code === 'string';
}
