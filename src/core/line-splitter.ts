/** One line of a byte stream, without its newline; `terminated` is false for a last line cut short. */
export interface RawLine {
  text: string;
  terminated: boolean;
}

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/**
 * Splits a byte stream into lines on `\n` (a `\r` before it is dropped) without holding more
 * than one line in memory. Unlike `readline`, it says whether the last line ended with a
 * newline, which is how a record torn by a crash mid-write is told apart from a finished one.
 */
export async function* splitLines(chunks: AsyncIterable<Buffer>): AsyncGenerator<RawLine> {
  let pending: Buffer[] = [];
  for await (const chunk of chunks) {
    let start = 0;
    let end = chunk.indexOf(NEWLINE, start);
    while (end !== -1) {
      pending.push(chunk.subarray(start, end));
      yield { text: decodeLine(pending), terminated: true };
      pending = [];
      start = end + 1;
      end = chunk.indexOf(NEWLINE, start);
    }
    if (start < chunk.length) pending.push(chunk.subarray(start));
  }
  if (pending.length > 0) yield { text: decodeLine(pending), terminated: false };
}

// A '\n' byte never occurs inside a multi-byte UTF-8 sequence, so each line decodes on its own.
function decodeLine(parts: Buffer[]): string {
  let bytes = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  if (bytes.length > 0 && bytes[bytes.length - 1] === CARRIAGE_RETURN) {
    bytes = bytes.subarray(0, bytes.length - 1);
  }
  return bytes.toString('utf8');
}
