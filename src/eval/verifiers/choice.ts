import { VerifierError } from '../../core/errors.js';
import { CHOICE_LETTERS, type Task } from '../task-schema.js';
import { lastBoxed } from './math/boxed.js';
import { normalizeText } from './text-answer.js';
import type { Verifier, VerifierResult } from './types.js';

export type ChoiceMethod = 'alone' | 'boxed' | 'phrase' | 'marked' | 'choice_text' | 'last_letter';

/**
 * Multiple-choice letters (A to J). The letter is read from, in order: an answer that is only
 * a letter, `\boxed{C}`, "The answer is (C)" / "Answer: C", the last marked letter (`**C**`,
 * `(C)`, `C)` at a line start), the text of one of the task's `choices`, and the last
 * standalone capital letter (not "A" or "I" used as a word).
 */
export const choiceVerifier: Verifier = {
  name: 'choice',
  version: '1',
  async verify(task: Task, finalAnswer: string | null): Promise<VerifierResult> {
    if (task.answer === undefined) {
      throw new VerifierError(
        'VERIFIER_FAILED',
        `task ${task.id}: verifier "choice" needs an "answer"`,
      );
    }
    const expected = task.answer.trim().toUpperCase();
    if (finalAnswer === null || finalAnswer.trim() === '') {
      return { correct: false, extracted: null, expected, details: { reason: 'no final answer' } };
    }
    const letters = CHOICE_LETTERS.slice(0, task.choices?.length ?? CHOICE_LETTERS.length);
    const found = extractChoice(finalAnswer, letters, task.choices);
    if (found === null) {
      return {
        correct: false,
        extracted: null,
        expected,
        details: { reason: 'no choice letter found' },
      };
    }
    return {
      correct: found.letter === expected,
      extracted: found.letter,
      expected,
      details: { method: found.method },
    };
  },
};

/** The chosen letter in a model's answer, restricted to `letters`. */
export function extractChoice(
  text: string,
  letters: string = CHOICE_LETTERS,
  choices?: readonly string[],
): { letter: string; method: ChoiceMethod } | null {
  const set = `[${letters}]`;
  const trimmed = text.trim();
  const alone = new RegExp(`^[(*\\s]*(${set})[).:*\\s]*$`, 'i').exec(trimmed);
  if (alone !== null) return { letter: alone[1]!.toUpperCase(), method: 'alone' };
  const boxed = lastBoxed(trimmed);
  if (boxed !== null) {
    const inBox = new RegExp(`^(?:\\\\text\\{)?\\s*\\(?(${set})\\)?\\s*\\}?$`).exec(boxed.trim());
    if (inBox !== null) return { letter: inBox[1]!, method: 'boxed' };
  }
  const phrase = last(
    trimmed,
    new RegExp(
      `[Aa]nswer(?:\\s+is)?\\s*:?\\s*(?:[Oo]ption\\s+)?[*(\\[]*\\s*(${set})(?![A-Za-z])`,
      'g',
    ),
  );
  if (phrase !== null) return { letter: phrase, method: 'phrase' };
  const marked = last(
    trimmed,
    new RegExp(`\\*\\*\\(?(${set})\\)?\\*\\*|\\((${set})\\)|(?:^|\\n)\\s*(${set})\\)`, 'g'),
  );
  if (marked !== null) return { letter: marked, method: 'marked' };
  if (choices !== undefined) {
    const normalized = normalizeText(trimmed);
    const matches = choices.flatMap((choice, i) =>
      normalizeText(choice) === normalized ? [i] : [],
    );
    if (matches.length === 1)
      return { letter: CHOICE_LETTERS[matches[0]!]!, method: 'choice_text' };
  }
  const standalone = lastStandalone(trimmed, set);
  if (standalone !== null) return { letter: standalone, method: 'last_letter' };
  return null;
}

/** The last capital letter standing alone, skipping "A" and "I" used as words ("I think"). */
function lastStandalone(text: string, set: string): string | null {
  let found: string | null = null;
  for (const match of text.matchAll(new RegExp(`(?<![A-Za-z'’])(${set})(?![A-Za-z'’])`, 'g'))) {
    const letter = match[1]!;
    const after = text.slice(match.index + 1, match.index + 3);
    if ((letter === 'A' || letter === 'I') && /^ [a-z]/.test(after)) continue;
    found = letter;
  }
  return found;
}

/** The first non-empty capture group of the last match. */
function last(text: string, pattern: RegExp): string | null {
  let found: string | null = null;
  for (const match of text.matchAll(pattern)) {
    const group = match.slice(1).find((g) => g !== undefined);
    if (group !== undefined) found = group;
  }
  return found;
}
