import { AssayError, errorMessage, InfraError, VerifierError } from '../../core/errors.js';
import type { Task } from '../task-schema.js';
import type { CodeRunResult, Verifier, VerifierContext, VerifierResult } from './types.js';

/** Time the candidate and its tests get when the task sets no `timeout_ms`. */
export const DEFAULT_CODE_TIMEOUT_MS = 10_000;

/** How much of the program's output is kept in the verdict's details. */
const OUTPUT_TAIL_CHARS = 2000;

const FENCE = /```[ \t]*([A-Za-z0-9_+-]*)[^\n]*\n([\s\S]*?)```/g;

/**
 * Candidate code against the task's python `tests`, run by the injected `CodeRunner` (the
 * python sandbox). The verdict trusts nothing the candidate can write: the sandbox runs the
 * tests in a process of their own, the candidate in another that answers the tests' calls, and
 * the answer passes only when the test process exits 0, which only reaching the end of the
 * tests does (a printed marker, a forged reply or `os._exit(0)` in the candidate cannot). A
 * sandbox failure is an `InfraError` (the sample is retried, never scored 0); a candidate that
 * crashes, fails an assert or times out is a wrong answer.
 */
export const codeTestsVerifier: Verifier = {
  name: 'code_tests',
  // 2: the tests run in a process apart from the candidate's; values cross as copies.
  version: '2',
  async verify(
    task: Task,
    finalAnswer: string | null,
    ctx: VerifierContext,
  ): Promise<VerifierResult> {
    const tests = task.tests;
    if (typeof tests !== 'string') {
      throw new VerifierError(
        'VERIFIER_FAILED',
        `task ${task.id}: verifier "code_tests" needs "tests"`,
      );
    }
    const runner = ctx.codeRunner;
    if (runner === undefined) {
      throw new VerifierError(
        'VERIFIER_FAILED',
        `task ${task.id}: verifier "code_tests" needs the python sandbox, and none was given`,
      );
    }
    const code = finalAnswer === null ? null : extractCode(finalAnswer);
    if (code === null) {
      return {
        correct: false,
        extracted: null,
        expected: null,
        details: { reason: 'no code in the answer' },
      };
    }
    const timeoutMs = task.timeout_ms ?? DEFAULT_CODE_TIMEOUT_MS;
    const result = await runGuarded(
      () => runner.runTests(code, tests, timeoutMs, ctx.signal),
      task.id,
    );
    const passed = result.ok && result.exitCode === 0;
    return {
      correct: passed,
      extracted: code,
      expected: null,
      details: {
        exit_code: result.exitCode,
        ...(result.ok ? {} : { error: result.error ?? 'did not finish' }),
        timeout_ms: timeoutMs,
        stdout: tail(result.stdout.trimEnd()),
        stderr: tail(result.stderr),
      },
    };
  },
};

/**
 * The code in an answer: the last fenced block marked python (or unmarked), else the last
 * fenced block of any language, else the whole answer.
 */
export function extractCode(answer: string): string | null {
  let python: string | undefined;
  let any: string | undefined;
  for (const match of answer.matchAll(FENCE)) {
    const language = (match[1] ?? '').toLowerCase();
    const body = match[2] ?? '';
    any = body;
    if (language === '' || language === 'python' || language === 'py' || language === 'python3')
      python = body;
  }
  const code = (python ?? any ?? answer).trim();
  return code === '' ? null : code;
}

export async function runGuarded(
  run: () => Promise<CodeRunResult>,
  taskId: string,
): Promise<CodeRunResult> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof AssayError && (error.errorClass === 'infra' || error.code === 'ABORTED'))
      throw error;
    throw new InfraError(
      'SANDBOX_CRASHED',
      `task ${taskId}: the code sandbox failed: ${errorMessage(error)}`,
      {
        cause: error,
        retryable: true,
      },
    );
  }
}

function tail(text: string): string {
  return text.length > OUTPUT_TAIL_CHARS ? `…${text.slice(-OUTPUT_TAIL_CHARS)}` : text;
}
