/** Why a run in an isolate failed, as a stable code the tool and the trace use. */
export type IsolateErrorCode =
  | 'SYNTAX_ERROR'
  | 'RUNTIME_ERROR'
  | 'TIMEOUT'
  | 'CPU_LIMIT'
  | 'MEMORY_LIMIT'
  | 'ABORTED'
  | 'ISOLATE_DISPOSED';

export interface IsolateRunError {
  code: IsolateErrorCode;
  message: string;
}

const TIMED_OUT = 'Script execution timed out.';
const MEMORY = 'disposed during execution due to memory limit';
const DISPOSED = /isolate (is|was) disposed/i;

/**
 * Maps what isolated-vm threw to a code and a message for the model: its own errors (time
 * and memory limits, a disposed isolate) and V8's syntax errors. What the user's code throws
 * never gets here; the prelude describes it inside the isolate. Stacks are cut at the
 * isolate boundary so no host file names reach the model.
 */
export function mapIsolateError(thrown: unknown, phase: 'compile' | 'run'): IsolateRunError {
  if (thrown instanceof Error) {
    const message = String(thrown.message);
    if (message.includes(MEMORY)) {
      return {
        code: 'MEMORY_LIMIT',
        message: 'The code used more memory than its limit allows and was stopped.',
      };
    }
    if (message === TIMED_OUT)
      return { code: 'TIMEOUT', message: 'The code ran past its time limit and was stopped.' };
    if (DISPOSED.test(message))
      return { code: 'ISOLATE_DISPOSED', message: 'The JavaScript context was shut down.' };
    if (phase === 'compile' && thrown.name === 'SyntaxError') {
      return { code: 'SYNTAX_ERROR', message: `SyntaxError: ${message}` };
    }
    if (message.startsWith('An object was thrown from supplied code')) {
      return {
        code: 'RUNTIME_ERROR',
        message: 'Uncaught exception: the code threw an object that is not an Error.',
      };
    }
    return { code: 'RUNTIME_ERROR', message: userStack(thrown) };
  }
  return { code: 'RUNTIME_ERROR', message: `Uncaught exception: ${describeThrown(thrown)}` };
}

/** `Name: message` and the frames inside the user's code. */
function userStack(error: Error): string {
  const head = `${String(error.name)}: ${String(error.message)}`;
  const frames = String(error.stack ?? '')
    .split('\n')
    .slice(1)
    .map((line) => line.trim())
    .filter((line) => line.includes('input.js:'))
    .slice(0, 10);
  return frames.length === 0 ? head : `${head}\n    ${frames.join('\n    ')}`;
}

function describeThrown(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (value === null || typeof value !== 'object') return String(value);
  return 'a value that is not an Error';
}
