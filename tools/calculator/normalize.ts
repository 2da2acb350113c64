/**
 * Rewrites the habits models bring from other calculators into mathjs syntax: typographic
 * operators, `**`, a trailing `=`, and thousands separators where a comma cannot mean
 * anything else.
 */

const SYMBOLS: Readonly<Record<string, string>> = {
  '×': '*',
  '✕': '*',
  '·': '*',
  '⋅': '*',
  '∙': '*',
  '÷': '/',
  '∕': '/',
  '−': '-',
  '–': '-',
  '—': '-',
  π: ' pi ',
  '≤': '<=',
  '≥': '>=',
  '≠': '!=',
  '²': '^2',
  '³': '^3',
  '\u00a0': ' ',
  '\u202f': ' ',
  '\u2009': ' ',
};

const SYMBOL_PATTERN = new RegExp(`[${Object.keys(SYMBOLS).join('')}]`, 'gu');

export function normalizeExpression(raw: string): string {
  let text = raw
    .trim()
    .replace(/^`+|`+$/g, '')
    .trim();
  text = text.replace(SYMBOL_PATTERN, (ch) => SYMBOLS[ch] ?? ch);
  text = text.replace(/√\s*(\d+(?:\.\d+)?|[A-Za-z_]\w*)/g, 'sqrt($1)').replace(/√/g, 'sqrt');
  text = text.replace(/\*\*/g, '^');
  // "2+2 =" and "2+2 = ?" as typed into a calculator; a comparison like "a == b" keeps its sign.
  text = text.replace(/(?<![=<>!])\s*=\s*\??\s*$/, '');
  text = text.replace(/^=(?!=)\s*/, '');
  return stripThousandsSeparators(text.trim());
}

/** Words after which "(" opens a group, not a function call. */
const OPERATOR_WORDS = new Set(['mod', 'to', 'in', 'and', 'or', 'xor', 'not']);

type Bracket = 'call' | 'group' | 'list';

/**
 * Removes commas from numbers like 1,234,567 (groups of exactly three digits), but only where a
 * comma could not separate values: at the top level or inside plain parentheses. Inside a
 * function call or a matrix, `max(1,234)` and `[1,234]` keep their commas.
 */
export function stripThousandsSeparators(text: string): string {
  const stack: Bracket[] = [];
  let out = '';
  let i = 0;
  while (i < text.length) {
    const ch = text[i] as string;
    if (ch === '"' || ch === "'") {
      const end = closingQuote(text, i);
      out += text.slice(i, end);
      i = end;
      continue;
    }
    if (ch === '(') {
      stack.push(opensCall(out) ? 'call' : 'group');
    } else if (ch === '[' || ch === '{') {
      stack.push('list');
    } else if (ch === ')' || ch === ']' || ch === '}') {
      stack.pop();
    } else if (/\d/.test(ch) && !/[\w.]/.test(out.at(-1) ?? '')) {
      const rest = text.slice(i);
      const grouped = /^\d{1,3}(?:,\d{3})+(?!\d|,\d)/.exec(rest);
      const context = stack.at(-1) ?? 'group';
      if (grouped && context === 'group') {
        out += grouped[0].replace(/,/g, '');
        i += grouped[0].length;
        continue;
      }
      const digits = (/^\d+/.exec(rest) as RegExpExecArray)[0];
      out += digits;
      i += digits.length;
      continue;
    }
    out += ch;
    i++;
  }
  return out;
}

function opensCall(before: string): boolean {
  const match = /([A-Za-z_][\w]*)\s*$/.exec(before);
  return match !== null && !OPERATOR_WORDS.has(match[1] as string);
}

function closingQuote(text: string, start: number): number {
  const quote = text[start];
  let i = start + 1;
  while (i < text.length && text[i] !== quote) i += text[i] === '\\' ? 2 : 1;
  return Math.min(i + 1, text.length);
}

const EXPONENT_LITERAL = /(?<![\w.])(\d+(?:\.\d*)?|\.\d+)[eE]([+-]?\d+)(?![\w.])/g;

/**
 * Writes literals like 1.5e-3 out in plain decimals for the exact pass, whose fraction parser
 * does not read exponents. Exponents past `maxDigits` stay as they are; the exact pass then
 * fails to parse and the decimal pass takes over.
 */
export function expandExponentLiterals(text: string, maxDigits: number): string {
  return text.replace(EXPONENT_LITERAL, (literal, mantissa: string, exponentText: string) => {
    const exponent = Number(exponentText);
    if (Math.abs(exponent) > maxDigits) return literal;
    const [whole = '', fraction = ''] = mantissa.split('.');
    const digits = `${whole}${fraction}`;
    const point = whole.length + exponent;
    let plain: string;
    if (point <= 0) plain = `0.${'0'.repeat(-point)}${digits}`;
    else if (point >= digits.length) plain = digits + '0'.repeat(point - digits.length);
    else plain = `${digits.slice(0, point)}.${digits.slice(point)}`;
    return plain.replace(/^0+(?=\d)/, '');
  });
}

/** Whether the expression writes a number with a decimal point or an exponent. */
export function hasDecimalLiteral(text: string): boolean {
  return /(?<![\w.])(\d+\.\d*|\.\d+|\d+[eE][+-]?\d)/.test(text.replace(/"[^"]*"|'[^']*'/g, ''));
}
