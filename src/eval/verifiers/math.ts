import { VerifierError } from '../../core/errors.js';
import type { Task } from '../task-schema.js';
import { boxedAnswers } from './math/boxed.js';
import { BudgetExceeded, checkBudget, withBudget } from './math/budget.js';
import { compareAnswers } from './math/compare.js';
import { type ExtractionMethod, extractMathAnswer, MAX_ANSWER_CHARS } from './math/extract.js';
import { normalizeAnswer } from './math/normalize.js';
import type { Verifier, VerifierResult } from './types.js';

/** Default relative tolerance for numbers that are not both integers. */
export const DEFAULT_MATH_TOLERANCE = 1e-6;

/**
 * Math answers with Math-Verify's rules: extracts the final answer (the last marked answer:
 * `\boxed{}`, "The final answer is", `#### N`; else the last math expression; else the last
 * standalone number), normalizes both sides and compares them as structures, numbers,
 * relations and expressions. Everything runs on plain doubles within a time budget.
 */
export const mathVerifier: Verifier = {
  name: 'math',
  version: '2',
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

/** Time one math verification may take before it is a verifier error, never a wrong answer. */
export const MATH_BUDGET_MS = 2000;

const SOURCES: Record<ExtractionMethod, string> = {
  boxed: 'the last \\boxed{}',
  gsm8k: 'the #### marker',
  phrase: 'the answer phrase',
  whole: 'the whole response',
  latex: 'the last math expression',
  last_number: 'the last standalone number',
};

/**
 * The math check on its own, for tables and other verifiers. Throws `VerifierError` when the
 * check runs past its time budget, so a pathological answer is reported, not scored wrong.
 */
export function verifyMath(
  finalAnswer: string | null,
  expected: string,
  tolerance = DEFAULT_MATH_TOLERANCE,
  budgetMs = MATH_BUDGET_MS,
): VerifierResult {
  try {
    return withBudget(budgetMs, () => check(finalAnswer, expected, tolerance));
  } catch (error) {
    if (error instanceof BudgetExceeded)
      throw new VerifierError('VERIFIER_FAILED', `${error.message}; the answer is not scored`);
    throw error;
  }
}

function check(finalAnswer: string | null, expected: string, tolerance: number): VerifierResult {
  if (finalAnswer === null || finalAnswer.trim() === '') {
    const reason = 'no final answer';
    return { correct: false, extracted: null, expected, details: { reason }, explanation: reason };
  }
  const extraction = extractMathAnswer(finalAnswer);
  checkBudget();
  if (extraction === null) {
    return {
      correct: false,
      extracted: null,
      expected,
      details: { reason: 'no answer found in the text' },
      explanation:
        'no answer found: no \\boxed{}, answer phrase, math expression or standalone number',
    };
  }
  if (extraction.value.length > MAX_ANSWER_CHARS) {
    const reason = `answer longer than ${MAX_ANSWER_CHARS} characters`;
    return {
      correct: false,
      extracted: extraction.value.slice(0, MAX_ANSWER_CHARS),
      expected,
      details: { method: extraction.method, reason },
      explanation: `${reason} (from ${SOURCES[extraction.method]})`,
    };
  }
  const normalizedAnswer = normalizeAnswer(extraction.value);
  const normalizedExpected = normalizeAnswer(referenceAnswer(expected));
  checkBudget();
  const comparison = compareAnswers(normalizedAnswer, normalizedExpected, { tolerance });
  const verdict = comparison.equal ? 'equals' : 'does not equal';
  return {
    correct: comparison.equal,
    extracted: extraction.value,
    expected,
    details: {
      extraction: extraction.method,
      comparison: comparison.method,
      normalized: { extracted: normalizedAnswer, expected: normalizedExpected },
    },
    explanation: `answer ${quote(normalizedAnswer)} from ${SOURCES[extraction.method]} ${verdict} reference ${quote(normalizedExpected)} (compared as ${comparison.method})`,
  };
}

/** Quoted as written (no JSON escaping, so LaTeX reads as LaTeX), on one line, clipped. */
function quote(text: string): string {
  const line = text.replace(/\s+/g, ' ');
  return `"${line.length > 80 ? `${line.slice(0, 77)}...` : line}"`;
}

/**
 * The answer inside a reference: its boxed part when it has one (`x \in \boxed{[0,7)}`), else
 * the reference itself, math delimiters and closing punctuation aside.
 */
export function referenceAnswer(expected: string): string {
  const boxed = expected.includes('box') ? boxedAnswers(expected) : null;
  const value = boxed !== null && boxed.value.trim() !== '' ? boxed.value : expected;
  return value
    .trim()
    .replace(/^\\\(|\\\)$/g, '')
    .replace(/^\\\[|\\\]$/g, '')
    .replace(/[.,;]\s*\$$/, '$')
    .trim();
}
