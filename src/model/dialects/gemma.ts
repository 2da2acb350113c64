import { setSafeKey } from './arguments.js';
import { CallCollector } from './collector.js';
import { isPartialTag } from './tagged-json.js';
import type { Dialect, DialectContext, DialectResult } from './types.js';

const MARKERS: readonly (readonly [string, string])[] = [
  ['<start_function_call>', '<end_function_call>'],
  ['<|tool_call>', '<tool_call|>'],
];
/** String delimiters: FunctionGemma's `<escape>` token and Gemma 4's `<|"|>`. */
const QUOTES = ['<escape>', '<|"|>'];

/**
 * FunctionGemma `<start_function_call>call:NAME{key:<escape>text<escape>,n:3}<end_function_call>`
 * and Gemma 4 `<|tool_call>call:NAME{key:<|"|>text<|"|>}<tool_call|>`: bare keys, strings
 * between `<escape>` or `<|"|>` tokens, other values written bare.
 */
export const gemmaDialect: Dialect = {
  name: 'gemma',
  parse: parseGemma,
};

function parseGemma(text: string, context: DialectContext): DialectResult | null {
  const present = MARKERS.filter(([open]) => text.includes(open));
  if (present.length === 0) return null;
  const collector = new CallCollector(context);
  for (const [open, close] of present) {
    let from = 0;
    for (;;) {
      const start = text.indexOf(open, from);
      if (start === -1) break;
      const head = /^\s*call:([^{\s]{1,200})\s*/.exec(text.slice(start + open.length));
      if (head === null) {
        from = start + open.length;
        continue;
      }
      const name = head[1]!;
      const reader = new BodyReader(text, start + open.length + head[0].length);
      const args = reader.object();
      if (args === null) {
        collector.reject(name, 'the tool call is incomplete or malformed');
        break;
      }
      const rest = text.slice(reader.position).trimStart();
      const end = rest.startsWith(close)
        ? text.length - rest.length + close.length
        : isPartialTag(rest, close)
          ? text.length
          : reader.position;
      if (collector.offer(name, JSON.stringify(args))) collector.cut(start, end);
      from = end;
    }
  }
  return collector.result();
}

/** Reads the brace body; every method returns null when the text is malformed or cut off. */
class BodyReader {
  constructor(
    private readonly text: string,
    public position: number,
  ) {}

  object(): Record<string, unknown> | null {
    if (this.text[this.position] !== '{') return null;
    this.position++;
    const result: Record<string, unknown> = {};
    const ok = this.items('}', () => {
      const key = /^\s*([^:{}[\],\s]+)\s*:/.exec(this.text.slice(this.position));
      if (key === null) return false;
      this.position += key[0].length;
      const value = this.value();
      if (value === undefined) return false;
      setSafeKey(result, key[1]!, value);
      return true;
    });
    return ok ? result : null;
  }

  private value(): unknown {
    while (/\s/.test(this.text[this.position] ?? '')) this.position++;
    const quote = QUOTES.find((token) => this.text.startsWith(token, this.position));
    if (quote !== undefined) {
      const end = this.text.indexOf(quote, this.position + quote.length);
      if (end === -1) return undefined;
      const value = this.text.slice(this.position + quote.length, end);
      this.position = end + quote.length;
      return value;
    }
    const char = this.text[this.position];
    if (char === '{') return this.object() ?? undefined;
    if (char === '[') {
      this.position++;
      const items: unknown[] = [];
      const ok = this.items(']', () => {
        const item = this.value();
        items.push(item);
        return item !== undefined;
      });
      return ok ? items : undefined;
    }
    const bare = /^[^,}\]]*/.exec(this.text.slice(this.position))![0];
    this.position += bare.length;
    if (this.position >= this.text.length) return undefined;
    return typeBare(bare.trim());
  }

  private items(close: string, item: () => boolean): boolean {
    for (;;) {
      while (/\s/.test(this.text[this.position] ?? '')) this.position++;
      const char = this.text[this.position];
      if (char === undefined) return false;
      if (char === close) {
        this.position++;
        return true;
      }
      if (!item()) return false;
      while (/\s/.test(this.text[this.position] ?? '')) this.position++;
      if (this.text[this.position] === ',') this.position++;
      else if (this.text[this.position] !== close) return false;
    }
  }
}

function typeBare(bare: string): unknown {
  if (bare === 'true') return true;
  if (bare === 'false') return false;
  if (bare === 'null') return null;
  const number = Number(bare);
  return bare !== '' && Number.isFinite(number) ? number : bare;
}
