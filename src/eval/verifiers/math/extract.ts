import { lastBoxed } from './boxed.js';

export type ExtractionMethod = 'boxed' | 'gsm8k' | 'phrase' | 'whole' | 'last_number';

export interface ExtractedAnswer {
  value: string;
  method: ExtractionMethod;
}

/** Longest answer text considered; a longer final answer is read only for its last number. */
export const MAX_ANSWER_CHARS = 2000;

// `#### 18` marks an answer only when a number or a formula follows: `#### Solution` is a
// markdown heading.
const GSM8K_MARKER = /####[ \t]*((?:[-+$(]|\\\$)*[ \t]*(?:\d|\.\d|\\[a-z]*frac|\\sqrt)[^\n]*)/g;
const ANSWER_PHRASE = /(?:the\s+)?(?:final\s+answer|answer)\s*(?:is|:|=)\s*:?\s*/gi;
const NUMBER = /-?\d{1,3}(?:,\d{3})+(?:\.\d+)?%?|-?\d+\/\d+|-?\d+(?:\.\d+)?%?|-?\.\d+%?/g;
const THINK_END = '</think>';

/** Only the end of a very long answer is searched; final answers come last. */
const MAX_SCAN_CHARS = 50_000;

/**
 * Finds the final answer in a model's text, trying in order: the last `\boxed{}`, the last
 * `#### N`, the last "The answer is …" / "Final answer: …", the whole text when it is a short
 * bare expression, and the last number. Text before a closing `</think>` is reasoning and is ignored; only
 * the last 50,000 characters are searched.
 */
export function extractMathAnswer(text: string): ExtractedAnswer | null {
  const tail = text.length > MAX_SCAN_CHARS ? text.slice(-MAX_SCAN_CHARS) : text;
  const thinkEnd = tail.lastIndexOf(THINK_END);
  const visible = thinkEnd === -1 ? tail : tail.slice(thinkEnd + THINK_END.length);
  const boxed = lastBoxed(visible);
  if (boxed !== null && boxed.trim() !== '') return { value: boxed.trim(), method: 'boxed' };
  const marker = lastMatch(visible, GSM8K_MARKER);
  if (marker !== null) return { value: cleanPhrase(marker[1] ?? ''), method: 'gsm8k' };
  const phrase = phraseAnswer(visible);
  if (phrase !== null) return { value: phrase, method: 'phrase' };
  const whole = stripDecoration(visible.trim());
  if (looksLikeBareAnswer(whole)) return { value: whole, method: 'whole' };
  const number = lastMatch(visible, NUMBER);
  if (number !== null) return { value: number[0], method: 'last_number' };
  return null;
}

function phraseAnswer(text: string): string | null {
  const match = lastMatch(text, ANSWER_PHRASE);
  if (match === null) return null;
  const rest = text.slice(match.index + match[0].length);
  const value = cleanPhrase(firstMathOrLine(rest));
  return value === '' ? null : value;
}

/** The inline math that opens the rest (`$…$`, `\(…\)`), or else the rest of the line. */
function firstMathOrLine(rest: string): string {
  const trimmed = rest.replace(/^[\s*]+/, '');
  const inline =
    /^\$\$?((?:\\\$|[^$])+?)\$\$?/.exec(trimmed) ??
    /^\\\((.+?)\\\)/.exec(trimmed) ??
    /^\\\[(.+?)\\\]/s.exec(trimmed);
  if (inline !== null) return inline[1] ?? '';
  return trimmed.split('\n')[0] ?? '';
}

/** Drops markdown bold, surrounding math delimiters and a closing period from a phrase answer. */
function cleanPhrase(text: string): string {
  let value = stripDecoration(text.trim());
  value = value
    .replace(/^\*+|\*+$/g, '')
    .replace(/[.;]+$/, '')
    .trim();
  return stripDecoration(value);
}

function stripDecoration(text: string): string {
  let value = text.trim();
  for (let i = 0; i < 3; i++) {
    const before = value;
    value = value.replace(/^\*\*(.*)\*\*$/s, '$1').trim();
    value = value.replace(/^\$\$?(.*?)\$\$?$/s, '$1').trim();
    value = value.replace(/^\\\((.*)\\\)$/s, '$1').trim();
    value = value.replace(/^\\\[(.*)\\\]$/s, '$1').trim();
    if (value === before) break;
  }
  return value;
}

/**
 * A short one-line text with no words in it (LaTeX commands aside) is taken as the answer
 * itself, so `2\sqrt{2}` is not cut down to its last number.
 */
function looksLikeBareAnswer(text: string): boolean {
  if (text === '' || text.length > 120 || text.includes('\n')) return false;
  const withoutCommands = text.replace(/\\[a-zA-Z]+/g, ' ');
  if (/[a-zA-Z]{3,}/.test(withoutCommands)) return false;
  return /[0-9a-zA-Z\\]/.test(text);
}

function lastMatch(text: string, pattern: RegExp): RegExpExecArray | null {
  pattern.lastIndex = 0;
  let last: RegExpExecArray | null = null;
  for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
    last = m;
    if (m[0] === '') pattern.lastIndex++;
  }
  return last;
}
