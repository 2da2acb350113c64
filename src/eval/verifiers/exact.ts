import { VerifierError } from '../../core/errors.js';
import type { Task } from '../task-schema.js';
import { answerCandidate, normalizeText } from './text-answer.js';
import type { Verifier, VerifierResult } from './types.js';

/**
 * Exact match after normalization (case, whitespace, quotes, markdown bold, a closing period).
 * The whole final answer is tried first, then its boxed or "answer is" part.
 */
export const exactVerifier: Verifier = {
  name: 'exact',
  version: '1',
  async verify(task: Task, finalAnswer: string | null): Promise<VerifierResult> {
    const expected = task.answer;
    if (expected === undefined) {
      throw new VerifierError(
        'VERIFIER_FAILED',
        `task ${task.id}: verifier "exact" needs an "answer"`,
      );
    }
    if (finalAnswer === null || finalAnswer.trim() === '') {
      return { correct: false, extracted: null, expected, details: { reason: 'no final answer' } };
    }
    const want = normalizeText(expected);
    if (normalizeText(finalAnswer) === want) {
      return {
        correct: true,
        extracted: finalAnswer.trim(),
        expected,
        details: { method: 'whole' },
      };
    }
    const candidate = answerCandidate(finalAnswer);
    const got = normalizeText(candidate.value);
    return {
      correct: got === want,
      extracted: candidate.value,
      expected,
      details: { method: candidate.method, normalized: got },
    };
  },
};
