import { setSafeKey } from './arguments.js';

/** One call read from Python call syntax; a call whose arguments are not plain literals fails. */
export type PythonCall =
  | { ok: true; name: string; args: Record<string, unknown> }
  | { ok: false; name: string; reason: string };

const CALL_HEAD = /^\s*([A-Za-z_][\w]*(?:\.[A-Za-z_]\w*)*)\s*\(/;

/**
 * Reads `name(a=1, b="x"), other()` call syntax into keyword arguments. Only Python literals
 * are accepted (strings, numbers, True/False/None, lists, tuples, dicts) and nothing is ever
 * evaluated. Returns null when the text is not a sequence of calls at all (a plain list, prose);
 * a call whose arguments are not literals comes back failed while its siblings still count.
 * With `newlines`, a line break also separates calls.
 */
export function parsePythonCalls(source: string, newlines = false): PythonCall[] | null {
  const segments = splitTopLevel(source, newlines);
  if (segments === null || segments.length === 0) return null;
  const calls: PythonCall[] = [];
  for (const segment of segments) {
    const head = CALL_HEAD.exec(segment);
    if (head === null) return null;
    calls.push(readCall(segment, head[1]!, head[0].length));
  }
  return calls;
}

function readCall(segment: string, name: string, argsStart: number): PythonCall {
  try {
    const parser = new LiteralParser(segment, argsStart);
    const args = parser.keywordArguments();
    parser.expectEnd();
    return { ok: true, name, args };
  } catch (error) {
    if (!(error instanceof LiteralError)) throw error;
    return {
      ok: false,
      name,
      reason: `the arguments of ${name}() are not plain literals: ${error.message}`,
    };
  }
}

/**
 * Splits at commas (and optionally newlines) outside brackets and strings. Returns null when a
 * bracket or string is left open, i.e. the text was cut off.
 */
function splitTopLevel(source: string, newlines: boolean): string[] | null {
  const segments: string[] = [];
  let depth = 0;
  let segmentStart = 0;
  for (let i = 0; i < source.length; i++) {
    const char = source[i]!;
    if (char === '"' || char === "'") {
      const end = stringEnd(source, i);
      if (end === null) return null;
      i = end - 1;
    } else if (char === '(' || char === '[' || char === '{') depth++;
    else if (char === ')' || char === ']' || char === '}') {
      depth--;
      if (depth < 0) return null;
    } else if (depth === 0 && (char === ',' || (newlines && char === '\n'))) {
      segments.push(source.slice(segmentStart, i));
      segmentStart = i + 1;
    }
  }
  if (depth !== 0) return null;
  segments.push(source.slice(segmentStart));
  return segments.filter((segment) => segment.trim() !== '');
}

/** The index after the string literal whose opening quote is at `start`, or null if unclosed. */
function stringEnd(source: string, start: number): number | null {
  const quote = source[start]!;
  const triple = source.startsWith(quote.repeat(3), start);
  const closing = triple ? quote.repeat(3) : quote;
  for (let i = start + closing.length; i < source.length; i++) {
    if (source[i] === '\\') i++;
    else if (source.startsWith(closing, i)) return i + closing.length;
    else if (!triple && source[i] === '\n') return null;
  }
  return null;
}

class LiteralError extends Error {}

const ESCAPES: Readonly<Record<string, string>> = {
  '\n': '',
  '\\': '\\',
  "'": "'",
  '"': '"',
  n: '\n',
  r: '\r',
  t: '\t',
  b: '\b',
  f: '\f',
  v: '\v',
  a: '\x07',
};
const NUMBER =
  /^(?:0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][-+]?\d[\d_]*)?)/;
const WORD = /^[A-Za-z_]\w*/;
const CONSTANTS: ReadonlyMap<string, unknown> = new Map<string, unknown>([
  ['True', true],
  ['False', false],
  ['None', null],
  ['true', true],
  ['false', false],
  ['null', null],
]);

/** A recursive-descent reader for the Python literal subset, over one call segment. */
class LiteralParser {
  constructor(
    private readonly source: string,
    private position: number,
  ) {}

  keywordArguments(): Record<string, unknown> {
    const args: Record<string, unknown> = {};
    this.list(')', () => {
      const key = WORD.exec(this.source.slice(this.position))?.[0];
      if (key === undefined)
        throw new LiteralError(`expected a keyword argument at "${this.around()}"`);
      this.position += key.length;
      this.skip();
      if (this.source[this.position] !== '=')
        throw new LiteralError(`positional argument "${key}"`);
      this.position++;
      setSafeKey(args, key, this.value());
    });
    return args;
  }

  expectEnd(): void {
    this.skip();
    if (this.position < this.source.length) throw new LiteralError(`unexpected "${this.around()}"`);
  }

  private value(): unknown {
    this.skip();
    const char = this.source[this.position];
    if (char === '[' || char === '(') {
      this.position++;
      const items: unknown[] = [];
      this.list(char === '[' ? ']' : ')', () => items.push(this.value()));
      return items;
    }
    if (char === '{') return this.dict();
    if (char === '-' || char === '+') {
      this.position++;
      const number = this.value();
      if (typeof number !== 'number') throw new LiteralError('a sign before a non-number');
      return char === '-' ? -number : number;
    }
    if (char !== undefined && /[\d.]/.test(char)) return this.number();
    if (char === '"' || char === "'") return this.string('');
    const word = WORD.exec(this.source.slice(this.position))?.[0];
    if (word === undefined) throw new LiteralError(`unexpected "${this.around()}"`);
    const quote = this.source[this.position + word.length];
    if ((quote === '"' || quote === "'") && word.length <= 2) return this.string(word);
    if (CONSTANTS.has(word)) {
      this.position += word.length;
      return CONSTANTS.get(word);
    }
    throw new LiteralError(`"${word}" is not a literal`);
  }

  private dict(): Record<string, unknown> {
    this.position++;
    const dict: Record<string, unknown> = {};
    this.list('}', () => {
      const key = this.value();
      if (typeof key !== 'string' && typeof key !== 'number')
        throw new LiteralError('a dict key that is not a string or number');
      this.skip();
      if (this.source[this.position] !== ':')
        throw new LiteralError(`expected ":" at "${this.around()}"`);
      this.position++;
      setSafeKey(dict, String(key), this.value());
    });
    return dict;
  }

  /** Reads comma-separated items up to `close`, allowing a trailing comma. */
  private list(close: string, item: () => void): void {
    for (;;) {
      this.skip();
      if (this.source[this.position] === close) {
        this.position++;
        return;
      }
      item();
      this.skip();
      const next = this.source[this.position];
      if (next === ',') this.position++;
      else if (next !== close)
        throw new LiteralError(`expected "," or "${close}" at "${this.around()}"`);
    }
  }

  private number(): number {
    const text = NUMBER.exec(this.source.slice(this.position))?.[0];
    if (text === undefined || text === '.')
      throw new LiteralError(`bad number at "${this.around()}"`);
    this.position += text.length;
    if (/^[\w.]/.test(this.source[this.position] ?? ''))
      throw new LiteralError(`bad number at "${this.around()}"`);
    const value = Number(text.replaceAll('_', ''));
    if (!Number.isFinite(value)) throw new LiteralError(`the number ${text} is not finite`);
    return value;
  }

  private string(prefix: string): string {
    const flags = prefix.toLowerCase();
    if (flags.includes('b')) throw new LiteralError('bytes literals are not supported');
    if (flags.includes('f')) throw new LiteralError('f-strings are not literals');
    if (/[^ru]/.test(flags)) throw new LiteralError(`unknown string prefix "${prefix}"`);
    this.position += prefix.length;
    let result = '';
    for (;;) {
      const start = this.position;
      const end = stringEnd(this.source, start);
      if (end === null) throw new LiteralError('unterminated string');
      const quoteLength = this.source.startsWith(this.source[start]!.repeat(3), start) ? 3 : 1;
      const body = this.source.slice(start + quoteLength, end - quoteLength);
      result += flags.includes('r') ? body : unescapePython(body);
      this.position = end;
      // Adjacent literals concatenate, as in Python.
      const next = this.source.slice(this.position).match(/^\s*(['"])/);
      if (next === null) return result;
      this.position += next[0].length - 1;
    }
  }

  private skip(): void {
    while (this.position < this.source.length && /\s/.test(this.source[this.position]!))
      this.position++;
  }

  private around(): string {
    return this.source.slice(this.position, this.position + 20);
  }
}

function unescapePython(body: string): string {
  return body.replace(
    /\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{1,3}|[\s\S])/g,
    (whole, code: string) => {
      const kind = code[0]!;
      if (kind === 'x' || kind === 'u' || kind === 'U') {
        const point = Number.parseInt(code.slice(1), 16);
        if (point > 0x10ffff) throw new LiteralError(`bad escape ${whole}`);
        return String.fromCodePoint(point);
      }
      if (/[0-7]/.test(kind)) return String.fromCodePoint(Number.parseInt(code, 8));
      if (kind === 'N') throw new LiteralError('named escapes are not supported');
      return Object.hasOwn(ESCAPES, kind) ? ESCAPES[kind]! : whole;
    },
  );
}
