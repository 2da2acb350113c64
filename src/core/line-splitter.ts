/**
 * One line of a byte stream, without its newline; `terminated` is false for a last line cut
 * short. A line longer than the splitter's limit is not kept: its `text` is empty and
 * `oversized` holds its length in bytes.
 */
export interface RawLine {
  text: string;
  terminated: boolean;
  oversized?: number;
}

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/**
 * Splits a byte stream into lines on `\n` (a `\r` before it is dropped) without holding more
 * than one line in memory, and never more than `maxLineBytes` of it: a longer line is counted
 * and skipped, so that one huge line cannot exhaust memory or V8's string limit. Unlike
 * `readline`, it says whether the last line ended with a newline, which is how a record torn by
 * a crash mid-write is told apart from a finished one.
 */
export async function* splitLines(
  chunks: AsyncIterable<Buffer>,
  maxLineBytes = Number.POSITIVE_INFINITY,
): AsyncGenerator<RawLine> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let skipped: number | undefined;
  const take = (part: Buffer): void => {
    if (skipped !== undefined) {
      skipped += part.length;
    } else if (pendingBytes + part.length > maxLineBytes) {
      skipped = pendingBytes + part.length;
      pending = [];
    } else {
      pending.push(part);
    }
    pendingBytes += part.length;
  };
  const finish = (terminated: boolean): RawLine => {
    const line: RawLine =
      skipped === undefined
        ? { text: decodeLine(pending), terminated }
        : { text: '', terminated, oversized: skipped };
    pending = [];
    pendingBytes = 0;
    skipped = undefined;
    return line;
  };
  for await (const chunk of chunks) {
    let start = 0;
    let end = chunk.indexOf(NEWLINE, start);
    while (end !== -1) {
      take(chunk.subarray(start, end));
      yield finish(true);
      start = end + 1;
      end = chunk.indexOf(NEWLINE, start);
    }
    if (start < chunk.length) take(chunk.subarray(start));
  }
  if (pendingBytes > 0) yield finish(false);
}

// A '\n' byte never occurs inside a multi-byte UTF-8 sequence, so each line decodes on its own.
function decodeLine(parts: Buffer[]): string {
  let bytes = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  if (bytes.length > 0 && bytes[bytes.length - 1] === CARRIAGE_RETURN) {
    bytes = bytes.subarray(0, bytes.length - 1);
  }
  return bytes.toString('utf8');
}
