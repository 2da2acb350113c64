import { boxedAnswers } from './boxed.js';
import { brokenSpans, lastMathSpan, mathSpans } from './spans.js';

export type ExtractionMethod = 'boxed' | 'gsm8k' | 'phrase' | 'whole' | 'latex' | 'last_number';

export interface ExtractedAnswer {
  value: string;
  method: ExtractionMethod;
}

/** Longest answer text considered; a longer final answer is read only for its last number. */
export const MAX_ANSWER_CHARS = 2000;

// `#### 18` marks an answer only when a number or a formula follows: `#### Solution` is a
// markdown heading.
const GSM8K_MARKER = /####[ \t]*((?:[-+$(]|\\\$)*[ \t]*(?:\d|\.\d|\\[a-z]*frac|\\sqrt)[^\n]*)/g;
const ANSWER_PHRASE =
  /(?:final\s+answer(?:\s+is)?|(?:the\s+)?answer\s+is|answer\s*:|answer\s*=)\s*:?\s*(?:\*\*)?\s*/gi;
const THINK_END = '</think>';

/** Only the end of a very long answer is searched; final answers come last. */
const MAX_SCAN_CHARS = 50_000;

/**
 * A number standing on its own: not glued to letters, digits, `\`, `^`, `_` or `{` on its
 * left (`AZYUK2A`, `x^2`, `a_1`) nor to letters on its right (`2A`, `3x`), units aside.
 * Thousands separators, decimal commas, spaced thousands and mixed numbers are one number.
 */
const NUMBER =
  /(?<![\w\\^_{.,/!])[-+]?(?:\d{1,3}(?: \d{3}){1,6} \d+\/\d+|\d{1,3}(?:,\d{3}){1,6}(?:\.\d+)?|\d{1,3}(?: \d{3}){1,6}(?![\d/])|\d+ \d+\/\d+|\d+(?:[.,]\d+)?(?:\/\d+)?|\.\d+)(?:\s?(?:%|percent|pct))?(?![\d^_]|[.,]\d)/g;
const UNIT_AFTER =
  /^\s?(?:m²|m2|cm|mm|km|kg|g|m|s|h|€|\$|dollars?|cents?|degrees?|units?)(?![a-zA-Z])/;

/**
 * Finds the final answer in a model's text, in the order Math-Verify uses: the last marked
 * answer (a `\boxed{}`, "The final answer is …", `#### N`: whichever comes last, so an early box
 * is overridden by a later stated answer), then the last complete math expression (a `$…$`,
 * `\(…\)`, `\[…\]` or matrix), then the last number standing on its own. A number inside a word
 * or inside a LaTeX command's argument is never the answer. Text before `</think>` is reasoning.
 */
export function extractMathAnswer(text: string): ExtractedAnswer | null {
  const tail = text.length > MAX_SCAN_CHARS ? text.slice(-MAX_SCAN_CHARS) : text;
  const thinkEnd = tail.lastIndexOf(THINK_END);
  const visible = thinkEnd === -1 ? tail : tail.slice(thinkEnd + THINK_END.length);

  const marked: { value: string; method: ExtractionMethod; at: number }[] = [];
  const boxed = boxedAnswers(visible);
  if (boxed !== null && boxed.value.trim() !== '')
    marked.push({ value: boxed.value.trim(), method: 'boxed', at: boxed.at });
  const marker = lastMatch(visible, GSM8K_MARKER);
  if (marker !== null) {
    const value = leadingAnswer(marker[1] ?? '');
    if (value !== null) marked.push({ value, method: 'gsm8k', at: marker.index });
  }
  const phrase = phraseAnswer(visible);
  if (phrase !== null) marked.push({ ...phrase, method: 'phrase' });
  if (marked.length > 0) {
    const last = marked.reduce((a, b) => (b.at > a.at ? b : a));
    return { value: last.value, method: last.method };
  }

  const whole = stripDecoration(visible.trim());
  if (looksLikeBareAnswer(whole)) return { value: whole, method: 'whole' };
  return lastExpression(visible);
}

/** The last math span; without one, the last standalone number outside malformed math. */
function lastExpression(text: string, later = false): ExtractedAnswer | null {
  const span = lastMathSpan(text);
  if (span !== null && !later) return { value: span.content, method: 'latex' };
  const number = lastNumber(text, span === null ? brokenSpans(text) : mathSpans(text));
  if (span !== null && (number === null || span.end > number.end))
    return { value: span.content, method: 'latex' };
  if (number !== null) return { value: number.value, method: 'last_number' };
  return null;
}

/** The last number outside math spans that is not part of a word. */
function lastNumber(
  text: string,
  spans: readonly { start: number; end: number }[],
): { value: string; end: number } | null {
  let found: { value: string; end: number } | null = null;
  NUMBER.lastIndex = 0;
  for (let m = NUMBER.exec(text); m !== null; m = NUMBER.exec(text)) {
    const start = m.index;
    const end = start + m[0].length;
    if (spans.some((s) => start >= s.start && start < s.end)) continue;
    const after = text.slice(end, end + 12);
    if (/^[a-zA-Z]/.test(after) && !UNIT_AFTER.test(after)) continue;
    if (/^-[a-zA-Z]/.test(after)) continue;
    if (/\}/.test(text.slice(end, end + 1))) continue;
    found = { value: m[0].trim(), end };
  }
  return found;
}

/**
 * "The final answer is …", "Answer: …": the answer runs to the end of its expression, not of
 * the line. A clause that opens with words ("The largest $n$ is 34.") gives its last
 * expression.
 */
function phraseAnswer(text: string): { value: string; at: number } | null {
  const match = lastMatch(text, ANSWER_PHRASE);
  if (match === null) return null;
  const rest = text.slice(match.index + match[0].length, match.index + match[0].length + 1000);
  const leading = leadingAnswer(rest);
  if (leading !== null) return { value: leading, at: match.index };
  const clause = rest.split(/(?<!\d)\.(?:\s|$)|\n/)[0] ?? '';
  const inClause = lastExpression(clause, true);
  if (inClause === null) return null;
  return { value: cleanTail(inClause.value), at: match.index };
}

/** The expression that opens `rest`: a math span, or math-like words up to the first word. */
function leadingAnswer(rest: string): string | null {
  const trimmed = rest.replace(/^[\s*"“]+/, '');
  const spans = mathSpans(trimmed);
  const first = spans[0];
  if (first !== undefined && first.start === 0) {
    let value = first.content;
    // `$12 $ and $13 $`: answers in several spans joined by "and" or commas.
    let end = first.end;
    for (const next of spans.slice(1)) {
      if (!/^\s*(?:,|and|,\s*and)\s*$/.test(trimmed.slice(end, next.start))) break;
      value += `, ${next.content}`;
      end = next.end;
    }
    return cleanTail(value) || null;
  }
  const tokens: string[] = [];
  for (const { token, lineEnd } of tokensOf(trimmed)) {
    if (!isMathToken(token)) break;
    tokens.push(token);
    if (lineEnd || /(?<!\\)[.;!?]$/.test(token)) break;
  }
  const value = cleanTail(tokens.join(' ').replace(/,\s*$/, ''));
  return value === '' ? null : value;
}

/** Space-separated tokens outside braces, up to 60; a newline outside braces ends the list. */
function tokensOf(text: string): { token: string; lineEnd: boolean }[] {
  const out: { token: string; lineEnd: boolean }[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i <= text.length && out.length < 60; i++) {
    const ch = text[i];
    if (ch === '\\') {
      i++;
      continue;
    }
    if (ch === '{') depth++;
    else if (ch === '}') depth = Math.max(0, depth - 1);
    else if (ch === undefined || (depth === 0 && (ch === ' ' || ch === '\t' || ch === '\n'))) {
      const token = text.slice(start, i);
      if (token !== '') out.push({ token, lineEnd: ch === '\n' || ch === undefined });
      if (ch === '\n') break;
      start = i + 1;
    }
  }
  return out;
}

const UNIT_WORDS = new Set(
  'percent pct percentage cm mm km kg m g s ft in inches feet meters miles units degrees dollars cents hours minutes seconds square sq and'.split(
    ' ',
  ),
);

/** A whitespace-separated token that is part of a formula rather than prose. */
function isMathToken(token: string): boolean {
  const bare = token.replace(/[.,;:!?)]+$/, '');
  if (bare === '') return /^[.,;:!?]$/.test(token) === false && token.length > 0;
  if (UNIT_WORDS.has(bare.toLowerCase())) return true;
  const withoutCommands = bare
    .replace(
      /\\(?:text|textbf|textit|textnormal|mbox|mathrm|mathcal|mathbb|operatorname)\s*\{[^{}]*\}/g,
      '',
    )
    .replace(/\\[a-zA-Z]+/g, '');
  if (/[a-zA-Z]{3,}/.test(withoutCommands)) return false;
  // Two-letter lowercase words ("is", "so", "of") are prose; `xy` or `AB` may be math.
  if (/^[a-z]{2}$/.test(bare) && !/^(?:xy|ab|pq|mn|uv)$/.test(bare)) return false;
  return true;
}

/** Drops markdown, closing punctuation and a trailing "and" from an answer. */
function cleanTail(text: string): string {
  let value = stripDecoration(text.trim());
  for (let i = 0; i < 3; i++) {
    value = value
      .replace(/^\*+|\*+$/g, '')
      .replace(/(?:\s+and)+$/, '')
      .replace(/(?<!\.\.)[.;,:]$/, '')
      .trim();
  }
  return stripDecoration(value);
}

function stripDecoration(text: string): string {
  let value = text.trim();
  for (let i = 0; i < 3; i++) {
    const before = value;
    value = value.replace(/^\*\*(.*)\*\*$/s, '$1').trim();
    value = value.replace(/^\$\$?([^$]*?)\$\$?$/s, '$1').trim();
    value = value.replace(/^\\\((.*)\\\)$/s, '$1').trim();
    value = value.replace(/^\\\[(.*)\\\]$/s, '$1').trim();
    if (!/(?:\.\.\.|\\[lc]?dots)$/.test(value)) value = value.replace(/[.,;]+$/, '').trim();
    if (value === before) break;
  }
  return value;
}

/**
 * A short one-line text with no words in it (LaTeX commands aside) is taken as the answer
 * itself, so `2\sqrt{2}` is not cut down to its last number.
 */
function looksLikeBareAnswer(text: string): boolean {
  if (text === '' || text.length > 300) return false;
  if (/^[a-zA-Z]{1,30}$/.test(text)) return true;
  if (text.includes('\n') && !/^\\begin\{/.test(text)) return false;
  if (/(?<!\\)\$|\\\(|\\\[/.test(text)) return false;
  const withoutCommands = text
    .replace(/\\(?:text|mbox|textbf|mathrm)\{[^{}]*\}/g, ' ')
    .replace(/\\[a-zA-Z]+/g, ' ');
  if (/[a-zA-Z]{3,}/.test(withoutCommands.replace(/\b(?:percent|pct)\b/g, ''))) return false;
  if (
    /\d\s+\d/.test(text) &&
    !/^[-+]?\d{1,3}(?: \d{3})* \d+\/\d+%?$/.test(text) &&
    !/^[-+]?\d+\s+\d+\/\d+%?$/.test(text) &&
    !/^\d{1,3}(?: \d{3})+$/.test(text)
  )
    return false;
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
