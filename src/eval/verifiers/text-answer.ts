import { lastBoxed } from './math/boxed.js';

const ANSWER_PHRASE = /(?:final\s+answer|answer)\s*(?:is|:)\s*:?\s*([^\n]+)/gi;
const QUOTES = '"\'\u201c\u201d\u2018\u2019\u00ab\u00bb';
const QUOTED = new RegExp(`^[${QUOTES}](.*)[${QUOTES}]$`, 's');

/**
 * Normalizes a short text answer for exact comparison: Unicode compatibility forms, case,
 * runs of whitespace, surrounding quotes, markdown emphasis and code marks, a closing period.
 */
export function normalizeText(text: string): string {
  let s = text.normalize('NFKC').trim();
  for (let i = 0; i < 4; i++) {
    const before = s;
    s = s.replace(/^(\*\*|__|\*|_|`+)(.+)\1$/s, '$2').trim();
    s = s.replace(QUOTED, '$1').trim();
    s = s.replace(/[.!]+$/, '').trim();
    if (s === before) break;
  }
  return s.replace(/\s+/g, ' ').toLowerCase();
}

export interface AnswerCandidate {
  value: string;
  method: 'boxed' | 'phrase' | 'whole';
}

/**
 * The part of a final answer a text verifier compares: the last `\boxed{}`, else what follows
 * the last "answer is" / "Final answer:", else the whole text.
 */
export function answerCandidate(finalAnswer: string): AnswerCandidate {
  const boxed = lastBoxed(finalAnswer);
  if (boxed !== null) return { value: boxed.trim(), method: 'boxed' };
  let phrase: string | undefined;
  ANSWER_PHRASE.lastIndex = 0;
  for (let m = ANSWER_PHRASE.exec(finalAnswer); m !== null; m = ANSWER_PHRASE.exec(finalAnswer)) {
    phrase = m[1];
  }
  if (phrase !== undefined && phrase.trim() !== '')
    return { value: phrase.trim(), method: 'phrase' };
  return { value: finalAnswer.trim(), method: 'whole' };
}
