import type { StreamOutput } from '../../sandbox/docker/protocol.js';
import { type ExecutionOutcome, formatSeconds } from '../../sandbox/docker/sandbox-session.js';

function streamText(name: string, output: StreamOutput): string {
  if (output.dropped_bytes === 0) return output.head + output.tail;
  return `${output.head}\n[... ${output.dropped_bytes} of ${output.total_bytes} bytes of ${name} omitted ...]\n${output.tail}`;
}

function section(title: string, body: string): string {
  return `${title}:\n${body.endsWith('\n') ? body : `${body}\n`}`;
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
