import type { IsolateRunError } from '../../../sandbox/isolate/errors.js';
import { IsolateSession } from '../../../sandbox/isolate/isolate-session.js';
import { throwIfAborted } from '../../core/abort.js';
import { VerifierError } from '../../core/errors.js';
import { isPlainObject, safeJsonParse } from '../../core/json.js';
import type { Task } from '../task-schema.js';
import type { Verifier, VerifierContext, VerifierResult } from './types.js';

/** Time a task's function gets when the task sets no `timeout_ms`. */
export const DEFAULT_JS_TIMEOUT_MS = 1000;
/** Heap of the isolate a task's function runs in. */
export const JS_MEMORY_LIMIT_MB = 32;

/**
 * A JavaScript function written in the task (`"function": "(answer, task) => …"`), called
 * with the final answer (a string, or null when there is none) and a copy of the task. It
 * runs in a fresh isolated-vm isolate with a memory limit and a time limit, with no access to
 * Node, the file system or the network. It returns `true`/`false`, `null` (cannot score), or
 * `{correct, details?}`. A function that throws, loops or returns anything else is a verifier
 * error, never a wrong answer.
 */
export const jsVerifier: Verifier = {
  name: 'js',
  version: '1',
  async verify(
    task: Task,
    finalAnswer: string | null,
    ctx: VerifierContext,
  ): Promise<VerifierResult> {
    const source = task.function;
    if (source === undefined) {
      throw new VerifierError(
        'VERIFIER_FAILED',
        `task ${task.id}: verifier "js" needs a "function"`,
      );
    }
    const timeoutMs = task.timeout_ms ?? DEFAULT_JS_TIMEOUT_MS;
    const output = await runInIsolate(task, source, finalAnswer, timeoutMs, ctx.signal);
    const verdict = readVerdict(task.id, output);
    return {
      correct: verdict.correct,
      extracted: finalAnswer,
      expected: task.answer ?? null,
      details: verdict.details,
    };
  },
};

/** Room for the verdict's JSON text; a bigger verdict is a verifier error. */
const VERDICT_BYTES = 1_048_576;

async function runInIsolate(
  task: Task,
  source: string,
  answer: string | null,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<string> {
  throwIfAborted(signal);
  // The input travels as JSON text inside the script: the isolate gets a copy, never a host object.
  const input = JSON.stringify(JSON.stringify({ answer, task }));
  const wrapped = `(() => {
  const __input = JSON.parse(${input});
  const fn = (${source}
  );
  if (typeof fn !== 'function') throw new TypeError('"function" is not a function');
  const result = fn(__input.answer, __input.task);
  if (result !== null && typeof result === 'object' && typeof result.then === 'function') {
    throw new TypeError('the function returned a promise; it must return its verdict directly');
  }
  return JSON.stringify(result === undefined ? null : result);
})()`;
  const session = await IsolateSession.create({ memoryMb: JS_MEMORY_LIMIT_MB });
  try {
    const outcome = await session.run(wrapped, {
      timeoutMs,
      cpuMs: timeoutMs,
      outputBytes: VERDICT_BYTES,
      ...(signal === undefined ? {} : { signal }),
    });
    throwIfAborted(signal);
    if (outcome.error !== null) {
      throw new VerifierError(
        'VERIFIER_FAILED',
        `task ${task.id}: the verifier function failed: ${describe(outcome.error, timeoutMs)}`,
      );
    }
    const value = outcome.value;
    if (value?.kind !== 'value' || typeof value.value !== 'string') {
      throw new VerifierError(
        'VERIFIER_FAILED',
        `task ${task.id}: the verifier function failed: its verdict was unreadable or larger than ${VERDICT_BYTES} bytes`,
      );
    }
    return value.value;
  } finally {
    await session.close();
  }
}

function readVerdict(
  taskId: string,
  output: string,
): { correct: boolean | null; details: Record<string, unknown> } {
  const parsed = safeJsonParse(output);
  const value = parsed.ok ? parsed.value : undefined;
  if (typeof value === 'boolean' || value === null) return { correct: value, details: {} };
  if (
    isPlainObject(value) &&
    (typeof value['correct'] === 'boolean' || value['correct'] === null)
  ) {
    const details = value['details'];
    return { correct: value['correct'], details: isPlainObject(details) ? details : {} };
  }
  throw new VerifierError(
    'VERIFIER_FAILED',
    `task ${taskId}: the verifier function must return true, false, null or {correct, details}; it returned ${output.slice(0, 200)}`,
  );
}

function describe(error: IsolateRunError, timeoutMs: number): string {
  switch (error.code) {
    case 'TIMEOUT':
    case 'CPU_LIMIT':
      return `it ran longer than ${timeoutMs} ms`;
    case 'MEMORY_LIMIT':
      return `it used more than ${JS_MEMORY_LIMIT_MB} MB`;
    default:
      return error.message;
  }
}
