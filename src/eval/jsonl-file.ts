import { createHash } from 'node:crypto';
import { safeJsonParse } from '../core/json.js';
import { readTextLines } from '../core/jsonl.js';

/** One non-blank line of a JSONL file: its parsed value, or why it is not JSON. */
export type JsonlLine = { line: number; value: unknown } | { line: number; error: string };

export interface ReadJsonlOptions {
  signal?: AbortSignal;
  /** Receives every byte read, so a caller can hash the file in the same pass. */
  onChunk?: (chunk: Buffer) => void;
}

/**
 * Streams a JSONL file line by line, never holding more than one line in memory. Lines are
 * numbered from 1 as an editor shows them; blank lines are skipped but still counted.
 */
export async function* readJsonl(
  path: string,
  options: ReadJsonlOptions = {},
): AsyncGenerator<JsonlLine> {
  for await (const { line, text } of readTextLines(path, options)) {
    const parsed = safeJsonParse(text);
    yield parsed.ok
      ? { line, value: parsed.value }
      : { line, error: `not valid JSON: ${parsed.error}` };
  }
}

/** A sha256 accumulator to pass as `onChunk`; `digest()` is valid once reading is done. */
export function sha256Accumulator(): { onChunk: (chunk: Buffer) => void; digest: () => string } {
  const hash = createHash('sha256');
  return { onChunk: (chunk) => hash.update(chunk), digest: () => hash.digest('hex') };
}
