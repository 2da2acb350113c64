import { matchingBrace, readArgument } from './braces.js';

/** Longest LaTeX answer turned into an expression; longer ones are compared as text only. */
const MAX_LATEX_CHARS = 500;

const FUNCTIONS: Record<string, string> = {
  sin: 'sin',
  cos: 'cos',
  tan: 'tan',
  cot: 'cot',
  sec: 'sec',
  csc: 'csc',
  arcsin: 'asin',
  arccos: 'acos',
  arctan: 'atan',
  sinh: 'sinh',
  cosh: 'cosh',
  tanh: 'tanh',
  ln: 'log',
  log: 'log10',
  exp: 'exp',
};

const SYMBOLS: Record<string, string> = {
  pi: ' pi ',
  infty: ' Infinity ',
  cdot: '*',
  times: '*',
  ast: '*',
  div: '/',
};

class Unsupported extends Error {}

/**
 * Converts a normalized LaTeX answer into the plain infix syntax the safe evaluator parses
 * (`\frac{\pi}{2}` → `((pi)/(2))`, `2xy` → `2x*y`). Returns null for anything it does not
 * understand (relations, factorials, `\pm`, unknown commands): those are compared as text.
 */
export function latexToExpression(latex: string): string | null {
  if (latex.length > MAX_LATEX_CHARS) return null;
  try {
    const out = convert(latex);
    return out.trim() === '' ? null : out;
  } catch (error) {
    if (error instanceof Unsupported) return null;
    throw error;
  }
}

function convert(s: string): string {
  let out = '';
  let i = 0;
  while (i < s.length) {
    const ch = s[i]!;
    if (ch === '\\') {
      const [text, end] = command(s, i);
      out += text;
      i = end;
    } else if (ch === '{') {
      const close = matchingBrace(s, i);
      if (close === -1) throw new Unsupported();
      out += `(${convert(s.slice(i + 1, close))})`;
      i = close + 1;
    } else if (ch === '^') {
      // Plain-text answers write `2^10` for 2 to the tenth; strict LaTeX would read 2^1 0.
      const digits = /^\^\s*(\d+(?:\.\d+)?)/.exec(s.slice(i));
      if (digits !== null) {
        out += `^(${digits[1]})`;
        i += digits[0].length;
        continue;
      }
      const arg = readArgument(s, i + 1);
      if (arg === null) throw new Unsupported();
      out += `^(${convert(arg.value)})`;
      i = arg.end;
    } else if (/[a-zA-Z]/.test(ch)) {
      const [text, end] = letters(s, i);
      out += text;
      i = end;
    } else if (/[0-9.+\-*/() ]/.test(ch)) {
      out += ch;
      i++;
    } else if (ch === '[' || ch === ']') {
      out += ch === '[' ? '(' : ')';
      i++;
    } else {
      throw new Unsupported();
    }
  }
  return out;
}

/** A command at `start`: `\frac`, `\sqrt`, a function or a symbol. */
function command(s: string, start: number): [string, number] {
  const name = /^\\([a-zA-Z]+)/.exec(s.slice(start))?.[1];
  if (name === undefined) throw new Unsupported();
  let i = start + 1 + name.length;
  if (name === 'frac') {
    const top = readArgument(s, i);
    const bottom = top === null ? null : readArgument(s, top.end);
    if (top === null || bottom === null) throw new Unsupported();
    return [`((${convert(top.value)})/(${convert(bottom.value)}))`, bottom.end];
  }
  if (name === 'sqrt') {
    let index: string | null = null;
    while (s[i] === ' ') i++;
    if (s[i] === '[') {
      const close = s.indexOf(']', i);
      if (close === -1) throw new Unsupported();
      index = convert(s.slice(i + 1, close));
      i = close + 1;
    }
    const arg = readArgument(s, i);
    if (arg === null) throw new Unsupported();
    const radicand = convert(arg.value);
    return [index === null ? ` sqrt(${radicand}) ` : ` nthRoot(${radicand}, ${index}) `, arg.end];
  }
  const fn = Object.hasOwn(FUNCTIONS, name) ? FUNCTIONS[name] : undefined;
  if (fn !== undefined) {
    while (s[i] === ' ') i++;
    if (s[i] === '^') {
      // `\sec^2(y)` is the square of sec(y).
      const power = readArgument(s, i + 1);
      if (power === null) throw new Unsupported();
      i = power.end;
      while (s[i] === ' ') i++;
      let arg: { value: string; end: number } | null;
      if (s[i] === '(') {
        const close = matchingParen(s, i);
        if (close === -1) throw new Unsupported();
        arg = { value: s.slice(i + 1, close), end: close + 1 };
      } else arg = readArgument(s, i);
      if (arg === null) throw new Unsupported();
      return [` (${fn}(${convert(arg.value)}))^(${convert(power.value)}) `, arg.end];
    }
    if (s[i] === '(') return [` ${fn}`, i];
    const number = /^\d+(?:\.\d+)?/.exec(s.slice(i));
    if (number !== null) return [` ${fn}(${number[0]}) `, i + number[0].length];
    const arg = readArgument(s, i);
    if (arg === null || arg.value === '^') throw new Unsupported();
    return [` ${fn}(${convert(arg.value)}) `, arg.end];
  }
  const symbol = Object.hasOwn(SYMBOLS, name) ? SYMBOLS[name] : undefined;
  if (symbol !== undefined) return [symbol, i];
  throw new Unsupported();
}

/** Letters are single-letter variables (`xy` is x times y); `a_1` is one variable. */
function letters(s: string, start: number): [string, number] {
  const parts: string[] = [];
  let i = start;
  while (i < s.length && /[a-zA-Z]/.test(s[i]!)) {
    let name = s[i]!;
    i++;
    if (s[i] === '_') {
      const sub = /^_([a-zA-Z0-9]+)/.exec(s.slice(i));
      if (sub === null) throw new Unsupported();
      name += `_${sub[1]}`;
      i += sub[0].length;
    }
    parts.push(name);
  }
  return [` ${parts.map((p) => `(${p})`).join('*')} `, i];
}

function matchingParen(s: string, open: number): number {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    if (s[i] === '(') depth++;
    else if (s[i] === ')' && --depth === 0) return i;
  }
  return -1;
}
