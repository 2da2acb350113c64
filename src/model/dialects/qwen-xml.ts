import { setSafeKey } from './arguments.js';
import { CallCollector } from './collector.js';
import { skipSpace } from './json-scan.js';
import { isPartialTag } from './tagged-json.js';
import type { Dialect, DialectContext, DialectResult } from './types.js';
import { propertySchema, typeTextValue } from './xml-values.js';

const OPEN = '<tool_call>';
const CLOSE = '</tool_call>';
const FUNCTION = '<function=';
const FUNCTION_CLOSE = '</function>';
const PARAMETER = /<parameter=([^>\n]{1,200})>/g;
const PARAMETER_CLOSE = '</parameter>';

/**
 * Qwen3-Coder and Qwen3.5: `<tool_call><function=NAME><parameter=P>value</parameter>...`.
 * One `<tool_call>` may hold several `<function=…>` blocks, the wrapper may be missing (then a
 * block needs a `<parameter=` or to be self-closing, `<function=NAME/>`, since Llama's
 * `<function=NAME>{json}</function>` is another dialect). A call needs its `</function>` or
 * `</tool_call>`, so a cut-off stream never yields a call whose last value is cut short; a
 * missing `</parameter>` before them is tolerated.
 */
export const qwenXmlDialect: Dialect = {
  name: 'qwen-xml',
  parse: parseQwenXml,
};

function parseQwenXml(text: string, context: DialectContext): DialectResult | null {
  if (!text.includes(FUNCTION)) return null;
  const wrapped = text.includes(OPEN);
  if (!wrapped && !/<function=[^>\n]{1,200}(?:\/>|>\s*<parameter=)/.test(text)) return null;
  const collector = new CallCollector(context);
  let from = 0;
  for (;;) {
    const fnStart = text.indexOf(FUNCTION, from);
    if (fnStart === -1) break;
    const open = wrapperBefore(text, from, fnStart);
    const inside = text.lastIndexOf(OPEN, fnStart) > text.lastIndexOf(CLOSE, fnStart);
    const nameEnd = text.indexOf('>', fnStart);
    const head = nameEnd === -1 ? null : text.slice(fnStart + FUNCTION.length, nameEnd).trim();
    const selfClosing = head?.endsWith('/') ?? false;
    // Outside a wrapper only XML-shaped blocks count; `<function=f>{json}` is Llama's dialect.
    if (
      !inside &&
      (head === null || head.includes('\n') || !(selfClosing || startsParameters(text, nameEnd)))
    ) {
      from = fnStart + FUNCTION.length;
      continue;
    }
    if (head === null || head.includes('\n')) {
      collector.reject(head, 'the tool call is incomplete (the output was cut off)');
      break;
    }
    const name = selfClosing ? head.slice(0, -1).trim() : head;
    const tagClose = inside ? text.indexOf(CLOSE, nameEnd) : -1;
    const fnClose = selfClosing
      ? nameEnd + 1
      : indexBefore(text, FUNCTION_CLOSE, nameEnd, tagClose);
    if (fnClose === -1 && tagClose === -1) {
      collector.reject(name, 'the tool call is incomplete (the output was cut off)');
      break;
    }
    const closedByFunction = fnClose !== -1 && (tagClose === -1 || fnClose < tagClose);
    const bodyEnd = closedByFunction ? fnClose : tagClose;
    const blockEnd = selfClosing
      ? nameEnd + 1
      : bodyEnd + (closedByFunction ? FUNCTION_CLOSE.length : 0);
    const resolved = context.resolve(name);
    if (resolved === null) {
      collector.unknownTool(name);
    } else {
      const body = selfClosing ? '' : text.slice(nameEnd + 1, bodyEnd);
      collector.offer(resolved, JSON.stringify(readParameters(body, context.schemas[resolved])));
      // The wrapper is cut with its first block, the closing tag with its last.
      collector.cut(open === -1 ? fnStart : open, closingEnd(text, blockEnd));
    }
    from = closedByFunction || selfClosing ? blockEnd : bodyEnd + CLOSE.length;
  }
  return collector.result();
}

/** The `<tool_call>` that opens right before the block at `fnStart` (only space between), or -1. */
function wrapperBefore(text: string, from: number, fnStart: number): number {
  const open = text.lastIndexOf(OPEN, fnStart);
  if (open === -1 || open < from) return -1;
  return skipSpace(text, open + OPEN.length) === fnStart ? open : -1;
}

/** True when the text after the tag at `nameEnd` opens with a `<parameter=…>`. */
function startsParameters(text: string, nameEnd: number): boolean {
  return text.startsWith('<parameter=', skipSpace(text, nameEnd + 1));
}

/** `indexOf` that stops at `limit` (when not -1), so each block is scanned once. */
function indexBefore(text: string, search: string, from: number, limit: number): number {
  const at = text.slice(from, limit === -1 ? undefined : limit + search.length).indexOf(search);
  return at === -1 ? -1 : from + at;
}

/** Where the markup ends: after a `</tool_call>` that follows (or is cut off at the end). */
function closingEnd(text: string, blockEnd: number): number {
  const after = skipSpace(text, blockEnd);
  const rest = text.slice(after);
  if (rest.startsWith(CLOSE)) return after + CLOSE.length;
  if (rest !== '' && isPartialTag(rest, CLOSE)) return text.length;
  return blockEnd;
}

function readParameters(body: string, parameters: unknown): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  const matches = [...body.matchAll(PARAMETER)];
  for (const [i, match] of matches.entries()) {
    const valueStart = match.index + match[0].length;
    const next = matches[i + 1]?.index ?? body.length;
    const close = body.indexOf(PARAMETER_CLOSE, valueStart);
    const closed = close !== -1 && close < next;
    let value = body.slice(valueStart, closed ? close : next);
    if (value.startsWith('\n')) value = value.slice(1);
    // The template puts each value on its own lines, so one newline either side is layout.
    value = closed ? value.replace(/\n$/, '') : value.trimEnd();
    const key = match[1]!.trim();
    setSafeKey(args, key, typeTextValue(value, propertySchema(parameters, key)));
  }
  return args;
}
