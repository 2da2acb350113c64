import { matchingBrace } from './braces.js';

/**
 * Rewrites an answer into a canonical LaTeX-ish text that both sides of a comparison share:
 * layout commands, dollars, degrees, text wrappers, units and thousands separators removed,
 * `\dfrac` and friends turned into `\frac`. Spaces are kept here; comparisons remove them.
 */
export function normalizeAnswer(raw: string): string {
  let s = raw.trim();
  s = replaceUnicode(s);
  s = s.replace(/\\\$/g, '');
  s = s.replace(/\$/g, '');
  s = s.replace(/^\\\(|\\\)$/g, '').replace(/^\\\[|\\\]$/g, '');
  s = s.replace(/\\(?:displaystyle|textstyle|scriptstyle)\b/g, '');
  s = s.replace(
    /\\(?:left|right|bigl|bigr|Bigl|Bigr|biggl|biggr|big|Big|bigg|Bigg)(?![a-zA-Z])\s*/g,
    '',
  );
  s = s.replace(/\\[dtc]frac(?![a-zA-Z])/g, '\\frac');
  s = s.replace(/,\\!\s*/g, ',').replace(/\{,\}/g, ',');
  s = s.replace(/(?<!\\)\\[!,;: ]|\\q?quad\b|~/g, ' ');
  s = s.replace(/\^\s*\{?\s*\\circ\s*\}?|\\circ|\\degree/g, '');
  s = s.replace(/\\%/g, '%');
  s = unwrapTextCommands(s);
  s = s.replace(/\\(?:mathbf|mathit|boldsymbol|bf)\b/g, '');
  s = s.replace(/_\{(\w+)\}/g, '_$1');
  s = s.replace(/^[a-zA-Z]\s*\\in\s*/, '');
  s = s.replace(/\s+/g, ' ').replace(/\s+\^/g, '^').trim();
  if (!/\.\.\.$/.test(s)) s = s.replace(/[.;]+$/, '').trim();
  // A stray backslash at the very end (`185\\`) is a typo, not LaTeX.
  s = s.replace(/(?<!\\)\\$/, '').trim();
  s = relations(s);
  s = andList(s);
  s = s.replace(/\s*(?:percent(?:age)?|pct)$/i, '%').replace(/\s+%$/, '%');
  s = unwrapGroup(s);
  s = spacedThousands(s);
  s = mixedNumber(s);
  s = stripUnits(s);
  s = decimalComma(s);
  s = stripThousands(s);
  return s;
}

/** `5.0` `5` `+5` `050`: removes whitespace for string comparison. */
export function compact(text: string): string {
  return text.replace(/\s+/g, '');
}

function replaceUnicode(s: string): string {
  return s
    .replace(/[\u2212\u2013]/g, '-')
    .replace(/\u00d7/g, '\\times ')
    .replace(/\u00b7|\u22c5/g, '\\cdot ')
    .replace(/\u00f7/g, '\\div ')
    .replace(/\u03c0/g, '\\pi ')
    .replace(/\u221e/g, '\\infty ')
    .replace(/\u00b0/g, '')
    .replace(/\u221a/g, '\\sqrt');
}

const TEXT_COMMANDS =
  /\\(?:text|textbf|textit|textnormal|textrm|mathrm|mbox|operatorname|mathbf|hbox)\s*\{/g;

/** `\text{ cm}` → ` cm`, keeping nested braces inside the wrapper intact. */
function unwrapTextCommands(s: string): string {
  let out = s;
  for (let guard = 0; guard < 50; guard++) {
    TEXT_COMMANDS.lastIndex = 0;
    const match = TEXT_COMMANDS.exec(out);
    if (match === null) break;
    const open = match.index + match[0].length - 1;
    const close = matchingBrace(out, open);
    if (close === -1) break;
    out = `${out.slice(0, match.index)} ${out.slice(open + 1, close)} ${out.slice(close + 1)}`;
  }
  return out;
}

const UNIT_TAIL = /^(.*?[0-9}])(\s*)([a-zA-Z][a-zA-Z\s.^{}23]*)$/;
const UNIT_WORD = /^([a-zA-Z]+)\.?(?:\^\{?[23]\}?)?$/;
const SINGLE_LETTER_UNITS = new Set(['m', 'g', 's', 'h', 'l', 'L', 'K']);
const UNITS = new Set(
  'cm mm km kg mg ft in yd mi lb lbs oz hr hrs min sec mph kph ml cc mL'.split(' '),
);

/**
 * Drops unit words after a number (`15 cm^2`, `5.4 cents`, `18 dollars`, `5cm`). Only a tail
 * of words goes, only when what is left has no letters of its own; a word glued to the number
 * must be a known unit and a lone letter must be a spaced unit, so `2x`, `2ab` and `3R^2` stay.
 */
function stripUnits(s: string): string {
  const match = UNIT_TAIL.exec(s);
  if (match === null) return s;
  const head = (match[1] ?? '').trim();
  const spaced = (match[2] ?? '') !== '';
  const words = (match[3] ?? '').trim().split(/\s+/);
  if (/[a-zA-Z]/.test(head.replace(/\\[a-zA-Z]+/g, ''))) return s;
  if (/\\[a-zA-Z]+$/.test(head)) return s;
  const unitLike = words.every((word, i) => {
    const bare = UNIT_WORD.exec(word)?.[1];
    if (bare === undefined) return false;
    if (i === 0 && !spaced) return UNITS.has(bare);
    return bare.length >= 2 || SINGLE_LETTER_UNITS.has(bare);
  });
  return unitLike ? head : s;
}

const MIXED_NUMBER = /^([-+]?)(\d+)\s*\\frac\{(\d+)\}\{(\d+)\}$/;
const MIXED_SLASH = /^([-+]?)(\d+) (\d+)\/(\d+)(%?)$/;

/**
 * `1\frac{4}{5}` is the mixed number 1 4/5, not 1 times 4/5; it is rewritten as a sum. Only
 * whole-number parts are read this way, so `2\frac{x}{y}` stays a product.
 */
function mixedNumber(s: string): string {
  const slash = MIXED_SLASH.exec(s);
  if (slash !== null) {
    const [, sign = '', whole = '', top = '', bottom = '', percent = ''] = slash;
    // `4 4/0` and `11 7/6` are not mixed numbers: they stay as they are and match nothing.
    if (Number(bottom) === 0 || Number(top) >= Number(bottom)) return s;
    const value = `(${whole}+${top}/${bottom})`;
    return `${sign === '-' ? '-' : ''}${value}${percent}`;
  }
  const match = MIXED_NUMBER.exec(s);
  if (match === null) return s;
  const [, sign = '', whole = '', top = '', bottom = ''] = match;
  return `${sign}(${whole}+\\frac{${top}}{${bottom}})`;
}

const THOUSANDS = /^([+-]?\d{1,3}(?:,\d{3})+)(\.\d+)?(%?)$/;

/** `1,234,567.5` → `1234567.5` when the whole answer is one such number. */
function stripThousands(s: string): string {
  const match = THOUSANDS.exec(s);
  if (match === null) return s;
  return `${(match[1] ?? '').replace(/,/g, '')}${match[2] ?? ''}${match[3] ?? ''}`;
}

/** Relation symbols in one spelling: `\\geq` `≥` `=>` all become `>=`; `\\approx` is `=`. */
function relations(s: string): string {
  return s
    .replace(/\\(?:geq|geqslant|ge)(?![a-zA-Z])|\u2265/g, ' >= ')
    .replace(/\\(?:leq|leqslant|le)(?![a-zA-Z])|\u2264/g, ' <= ')
    .replace(/\\(?:neq|ne)(?![a-zA-Z])|\u2260|!=/g, ' != ')
    .replace(/\\lt(?![a-zA-Z])/g, ' < ')
    .replace(/\\gt(?![a-zA-Z])/g, ' > ')
    .replace(/\\approx(?![a-zA-Z])|\u2248/g, ' \\approx ')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * A whole answer in braces (`{1,3}`) is a TeX group, not a set; a lone matrix in brackets
 * (`\\left[\\begin{array}…\\end{array}\\right]`) is that matrix.
 */
function unwrapGroup(s: string): string {
  if (s.startsWith('{') && matchingBrace(s, 0) === s.length - 1) return s.slice(1, -1).trim();
  const matrix = /^[[(]\s*(\\begin\{([a-zA-Z]*matrix|array)\}.*\\end\{\2\})\s*[\])]$/s.exec(s);
  return matrix?.[1] ?? s;
}

/** `1 000` and `1 000 4/9`: spaces between groups of three digits are separators. */
function spacedThousands(s: string): string {
  const match = /^([-+]?\d{1,3}(?: \d{3})+)((?: \d+\/\d+)?%?)$/.exec(s);
  if (match === null) return s;
  return `${(match[1] ?? '').replace(/ /g, '')}${match[2] ?? ''}`;
}

/**
 * `1000,99` `0,111` `2,74`: a comma before other than three digits, or after a leading zero or
 * four digits, is a decimal comma. `1,234` stays a thousands separator; signed pairs (`-2,1`)
 * and single digits after the comma (`1,2`) stay lists.
 */
function decimalComma(s: string): string {
  const match = /^(\d+),(\d+)$/.exec(s);
  if (match === null) return s;
  const [, head = '', tail = ''] = match;
  if (head === '0' || head.length > 3 || (tail.length >= 2 && tail.length !== 3))
    return `${head}.${tail}`;
  return s;
}

/** `6 and 8` (or `6 \\text{ and } 8`) lists two answers: it reads as `6, 8`. */
function andList(s: string): string {
  const parts = s.split(/\s+and\s+|,\s*and\s+/);
  if (
    parts.length < 2 ||
    parts.some((p) => p === '' || /[a-zA-Z]{3,}/.test(p.replace(/\\[a-zA-Z]+/g, '')))
  )
    return s;
  return parts.join(', ');
}
