import ivm from 'isolated-vm';
import { throwIfAborted } from '../../core/abort.js';
import { AssayError, InfraError, VerifierError } from '../../core/errors.js';
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

async function runInIsolate(
  task: Task,
  source: string,
  answer: string | null,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<string> {
  throwIfAborted(signal);
  let isolate: ivm.Isolate;
  try {
    isolate = new ivm.Isolate({ memoryLimit: JS_MEMORY_LIMIT_MB });
  } catch (error) {
    throw new InfraError(
      'ISOLATE_FAILED',
      `cannot create a JavaScript isolate: ${messageOf(error)}`,
      {
        cause: error,
      },
    );
  }
  const onAbort = () => isolate.dispose();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const context = await isolate.createContext();
    await context.global.set('__input', new ivm.ExternalCopy({ answer, task }).copyInto());
    const wrapped = `(() => {
  const fn = (${source}
  );
  if (typeof fn !== 'function') throw new TypeError('"function" is not a function');
  const result = fn(__input.answer, __input.task);
  if (result !== null && typeof result === 'object' && typeof result.then === 'function') {
    throw new TypeError('the function returned a promise; it must return its verdict directly');
  }
  return JSON.stringify(result === undefined ? null : result);
})()`;
    const script = await isolate.compileScript(wrapped, {
      filename: `task-${task.id}-verifier.js`,
    });
    const output: unknown = await script.run(context, { timeout: timeoutMs });
    if (typeof output !== 'string') throw new Error('the function returned nothing readable');
    return output;
  } catch (error) {
    throwIfAborted(signal);
    if (error instanceof AssayError) throw error;
    throw new VerifierError(
      'VERIFIER_FAILED',
      `task ${task.id}: the verifier function failed: ${describe(error, timeoutMs)}`,
      {
        cause: error,
      },
    );
  } finally {
    signal?.removeEventListener('abort', onAbort);
    if (!isolate.isDisposed) isolate.dispose();
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

function describe(error: unknown, timeoutMs: number): string {
  const message = messageOf(error);
  if (/timed out/i.test(message)) return `it ran longer than ${timeoutMs} ms`;
  if (/memory limit/i.test(message)) return `it used more than ${JS_MEMORY_LIMIT_MB} MB`;
  return message;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
