import { VerifierError } from '../../core/errors.js';
import type { Task } from '../task-schema.js';
import { compareAnswers } from './math/compare.js';
import { extractMathAnswer, MAX_ANSWER_CHARS } from './math/extract.js';
import { normalizeAnswer } from './math/normalize.js';
import type { Verifier, VerifierResult } from './types.js';

/** Default relative tolerance for numbers that are not both integers. */
export const DEFAULT_MATH_TOLERANCE = 1e-6;

/**
 * Math answers: extracts the final answer (`\boxed{}`, `#### N`, "The answer is", a bare
 * expression, the last number), normalizes both sides and compares them as structures,
 * numbers, equations and expressions. Everything runs in bounded time on plain doubles.
 */
export const mathVerifier: Verifier = {
  name: 'math',
  version: '1',
  async verify(task: Task, finalAnswer: string | null): Promise<VerifierResult> {
    const expected = task.answer;
    if (expected === undefined)
      throw new VerifierError(
        'VERIFIER_FAILED',
        `task ${task.id}: verifier "math" needs an "answer"`,
      );
    return verifyMath(finalAnswer, expected, task.tolerance ?? DEFAULT_MATH_TOLERANCE);
  },
};

/** The math check on its own, for tables and other verifiers. */
export function verifyMath(
  finalAnswer: string | null,
  expected: string,
  tolerance = DEFAULT_MATH_TOLERANCE,
): VerifierResult {
  if (finalAnswer === null || finalAnswer.trim() === '') {
    return { correct: false, extracted: null, expected, details: { reason: 'no final answer' } };
  }
  const extraction = extractMathAnswer(finalAnswer);
  if (extraction === null) {
    return {
      correct: false,
      extracted: null,
      expected,
      details: { reason: 'no answer found in the text' },
    };
  }
  if (extraction.value.length > MAX_ANSWER_CHARS) {
    return {
      correct: false,
      extracted: extraction.value.slice(0, MAX_ANSWER_CHARS),
      expected,
      details: {
        method: extraction.method,
        reason: `answer longer than ${MAX_ANSWER_CHARS} characters`,
      },
    };
  }
  const normalizedAnswer = normalizeAnswer(extraction.value);
  const normalizedExpected = normalizeAnswer(expected);
  const comparison = compareAnswers(normalizedAnswer, normalizedExpected, { tolerance });
  return {
    correct: comparison.equal,
    extracted: extraction.value,
    expected,
    details: {
      extraction: extraction.method,
      comparison: comparison.method,
      normalized: { extracted: normalizedAnswer, expected: normalizedExpected },
    },
  };
}
