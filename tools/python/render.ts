import type { StreamOutput } from '../../sandbox/docker/protocol.js';
import { type ExecutionOutcome, formatSeconds } from '../../sandbox/docker/sandbox-session.js';
import { capText } from '../../src/core/text.js';

function streamText(name: string, output: StreamOutput): string {
  if (output.dropped_bytes === 0) return output.head + output.tail;
  return `${output.head}\n[... ${output.dropped_bytes} of ${output.total_bytes} bytes of ${name} omitted ...]\n${output.tail}`;
}

function section(title: string, body: string): string {
  return `${title}:\n${body.endsWith('\n') ? body : `${body}\n`}`;
}

/**
 * What the model reads for one call, within `maxBytes` (UTF-8): stdout, stderr and the value
 * give up bytes from their middle, largest first, and each says how many of its bytes were
 * left out in all. Rendering to fit keeps those markers; cutting the rendered text afterwards
 * would cut them away and report only the bytes the last cut dropped.
 */
export function renderWithin(outcome: ExecutionOutcome, maxBytes: number): string {
  let current = outcome;
  for (let round = 0; round < 6; round++) {
    const text = renderOutcome(current);
    const over = Buffer.byteLength(text, 'utf8') - maxBytes;
    if (over <= 0) return text;
    const next = shrinkFairly(current, over + 16);
    if (next === current) return text;
    current = next;
  }
  return renderOutcome(current);
}

/** Takes `bytes` from stdout, stderr and the value, the largest first, down to a common level. */
function shrinkFairly(outcome: ExecutionOutcome, bytes: number): ExecutionOutcome {
  const sizes = [
    keptBytes(outcome.stdout),
    keptBytes(outcome.stderr),
    outcome.value === null ? 0 : Buffer.byteLength(outcome.value, 'utf8'),
  ];
  const total = sizes[0]! + sizes[1]! + sizes[2]!;
  if (total === 0) return outcome;
  const target = Math.max(0, total - bytes);
  // The level L with sum(min(size, L)) == target: parts below it keep everything.
  const sorted = [...sizes].sort((x, y) => x - y);
  let level = Number.POSITIVE_INFINITY;
  let rest = target;
  for (let i = 0; i < sorted.length; i++) {
    const share = rest / (sorted.length - i);
    if (sorted[i]! <= share) {
      rest -= sorted[i]!;
      continue;
    }
    level = Math.floor(share);
    break;
  }
  const cut = (size: number) => Math.max(0, size - level);
  const next = { ...outcome };
  if (cut(sizes[0]!) > 0) next.stdout = shrinkStream(outcome.stdout, cut(sizes[0]!));
  if (cut(sizes[1]!) > 0) next.stderr = shrinkStream(outcome.stderr, cut(sizes[1]!));
  if (outcome.value !== null && cut(sizes[2]!) > 0)
    next.value = capText(outcome.value, Math.max(0, sizes[2]! - cut(sizes[2]!)));
  return next;
}

function keptBytes(output: StreamOutput): number {
  return Buffer.byteLength(output.head, 'utf8') + Buffer.byteLength(output.tail, 'utf8');
}

/** Drops `bytes` more from the middle of a captured stream and counts them as omitted. */
function shrinkStream(output: StreamOutput, bytes: number): StreamOutput {
  const text = Buffer.from(output.head + output.tail, 'utf8');
  const keep = Math.max(0, text.length - bytes);
  const headBytes = Math.ceil(keep / 2);
  const tailBytes = keep - headBytes;
  const head = text
    .subarray(0, headBytes)
    .toString('utf8')
    .replace(/\uFFFD$/, '');
  const tail = text
    .subarray(text.length - tailBytes)
    .toString('utf8')
    .replace(/^\uFFFD/, '');
  const kept = Buffer.byteLength(head, 'utf8') + Buffer.byteLength(tail, 'utf8');
  return {
    head,
    tail: tailBytes === 0 ? '' : tail,
    total_bytes: output.total_bytes,
    dropped_bytes: output.total_bytes - kept,
  };
}

/** What the model reads for one call: notes first, then output, value, error and artifacts. */
export function renderOutcome(outcome: ExecutionOutcome): string {
  const parts: string[] = [];
  if (outcome.restartedAfter) {
    parts.push(
      `note: state was lost: the session was restarted because ${outcome.restartedAfter}; variables, imports and files from earlier calls are gone.\n`,
    );
  }
  if (outcome.stdout.total_bytes > 0)
    parts.push(section('stdout', streamText('stdout', outcome.stdout)));
  if (outcome.stderr.total_bytes > 0)
    parts.push(section('stderr', streamText('stderr', outcome.stderr)));
  if (outcome.value !== null) parts.push(section('value', outcome.value));
  switch (outcome.status) {
    case 'error':
      if (outcome.error)
        parts.push(
          section(
            'error',
            outcome.error.traceback || `${outcome.error.type}: ${outcome.error.message}`,
          ),
        );
      break;
    case 'timeout':
      parts.push(
        `timeout: the code was interrupted after ${formatSeconds(outcome.timeoutMs)}; variables defined before the interrupt are kept.\n`,
      );
      break;
    case 'killed':
      parts.push(
        `timeout: the code ran past ${formatSeconds(outcome.timeoutMs)} and did not stop when interrupted, so the sandbox was killed. State was lost: the session was restarted after a timeout, and the next call starts with no variables, imports or files.\n`,
      );
      break;
    case 'oom':
      parts.push(
        `error: out of memory: ${outcome.lost ?? 'the sandbox ran out of memory'}. State was lost: the next call starts in a fresh session.\n`,
      );
      break;
    case 'crashed':
      parts.push(
        `error: the sandbox crashed (${outcome.lost ?? 'unknown reason'}). State was lost: the next call starts in a fresh session.\n`,
      );
      break;
    case 'ok':
      break;
  }
  for (const figure of outcome.figures)
    parts.push(`figure: ${figure.name} (PNG, ${figure.data.length} bytes)\n`);
  for (const file of outcome.files)
    parts.push(`file written: ${file.name} (${file.data.length} bytes)\n`);
  for (const file of outcome.filesOmitted) {
    parts.push(`file written: ${file.path} (${file.size} bytes, too large to keep)\n`);
  }
  if (outcome.stoppedProcesses > 0) {
    parts.push(
      `note: ${outcome.stoppedProcesses} process(es) left running by this code were stopped.\n`,
    );
  }
  if (parts.length === 0 || (parts.length === 1 && outcome.restartedAfter))
    parts.push('(no output)\n');
  return parts.join('').trimEnd();
}
