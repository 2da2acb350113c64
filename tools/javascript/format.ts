import type { IsolateRunOutcome } from '../../sandbox/isolate/isolate-session.js';

/**
 * The text the model reads: an optional notice, the `console` output, then the value of the
 * last expression or the error. The whole text stays within `limitBytes`; when it must be
 * cut, the console output gives way first because the result line is what the model needs.
 */
export function formatOutcome(
  outcome: IsolateRunOutcome,
  notice: string | null,
  limitBytes: number,
): string {
  const head = notice === null ? '' : `${notice}\n`;
  let tail: string;
  if (outcome.error) {
    tail = `Error (${outcome.error.code}): ${outcome.error.message}`;
  } else if (outcome.value?.kind === 'value') {
    tail = `Result: ${JSON.stringify(outcome.value.value)}`;
  } else if (outcome.value?.kind === 'truncated') {
    tail = `Result (cut; too large to show whole): ${outcome.value.preview}…`;
  } else {
    tail = outcome.output === '' ? '(no output; the last expression is undefined)' : '';
  }

  const marker = '[console output cut here]\n';
  let output = outcome.output;
  let cut = outcome.outputTruncated;
  // One byte is kept for the newline that ends a cut line.
  const room = Math.max(0, limitBytes - bytes(head) - bytes(tail) - bytes(marker) - 1);
  if (bytes(output) > room) {
    output = clip(output, room);
    const lastLine = output.lastIndexOf('\n');
    if (lastLine > 0) output = output.slice(0, lastLine + 1);
    cut = true;
  }
  if (output !== '' && !output.endsWith('\n')) output += '\n';
  const text = `${head}${output}${cut ? marker : ''}${tail}`.replace(/\n$/, '');
  return bytes(text) <= limitBytes ? text : clip(text, limitBytes);
}

function bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

function clip(text: string, limit: number): string {
  return Buffer.from(text, 'utf8')
    .subarray(0, limit)
    .toString('utf8')
    .replace(/\uFFFD$/, '');
}
