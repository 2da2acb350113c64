import { UsageError, VerifierError } from '../../core/errors.js';
import type { Task } from '../task-schema.js';
import { DEFAULT_CODE_TIMEOUT_MS, extractCode, runGuarded } from './code-tests.js';
import type { VerifierContext } from './types.js';

/** How much of the visible tests' output goes back to the model. */
export const VISIBLE_OUTPUT_CHARS = 2000;

/** What running a task's visible tests on one answer showed: the model may read `output`. */
export interface VisibleTestsResult {
  passed: boolean;
  exit_code: number | null;
  /** The tests' stdout and stderr (or why they did not finish), the last characters only. */
  output: string;
}

/**
 * The task's `visible_tests` run on an answer with the `code_tests` machinery (the python
 * sandbox, the answer's code apart from the tests). Only `visible_tests` is read: the hidden
 * `tests` and the reference answer never reach this function's result, which is what a
 * `refine:R:tests` round shows the model. A sandbox failure is an `InfraError`.
 */
export async function runVisibleTests(
  task: Task,
  finalAnswer: string | null,
  ctx: VerifierContext,
): Promise<VisibleTestsResult> {
  const tests = task.visible_tests;
  if (tests === undefined) {
    throw new UsageError('USAGE', `task ${task.id} has no "visible_tests"`);
  }
  const runner = ctx.codeRunner;
  if (runner === undefined) {
    throw new VerifierError(
      'VERIFIER_FAILED',
      `task ${task.id}: visible tests need the python sandbox, and none was given`,
    );
  }
  const code = finalAnswer === null ? null : extractCode(finalAnswer);
  if (code === null) {
    return { passed: false, exit_code: null, output: 'No code was found in the answer.' };
  }
  const timeoutMs = task.timeout_ms ?? DEFAULT_CODE_TIMEOUT_MS;
  const result = await runGuarded(
    () => runner.runTests(code, tests, timeoutMs, ctx.signal),
    task.id,
  );
  const passed = result.ok && result.exitCode === 0;
  const parts = [result.stdout.trimEnd(), result.stderr.trimEnd()].filter((p) => p !== '');
  if (!result.ok) parts.push(`(the tests did not finish: ${result.error ?? 'stopped'})`);
  const text = parts.join('\n');
  return {
    passed,
    exit_code: result.exitCode,
    output: text.length > VISIBLE_OUTPUT_CHARS ? `…${text.slice(-VISIBLE_OUTPUT_CHARS)}` : text,
  };
}
