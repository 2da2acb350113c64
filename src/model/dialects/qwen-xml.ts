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
 * A call needs its `</function>` or `</tool_call>`, so a cut-off stream never yields a call
 * whose last value is cut short; a missing `</parameter>` before them is tolerated.
 */
export const qwenXmlDialect: Dialect = {
  name: 'qwen-xml',
  parse: parseQwenXml,
};

function parseQwenXml(text: string, context: DialectContext): DialectResult | null {
  if (!text.includes(OPEN) || !text.includes(FUNCTION)) return null;
  const collector = new CallCollector(context);
  let from = 0;
  for (;;) {
    const start = text.indexOf(OPEN, from);
    if (start === -1) break;
    const fnStart = skipSpace(text, start + OPEN.length);
    if (!text.startsWith(FUNCTION, fnStart)) {
      from = start + OPEN.length;
      continue;
    }
    const nameEnd = text.indexOf('>', fnStart);
    const name = nameEnd === -1 ? null : text.slice(fnStart + FUNCTION.length, nameEnd).trim();
    const tagClose = nameEnd === -1 ? -1 : text.indexOf(CLOSE, nameEnd);
    const fnClose = nameEnd === -1 ? -1 : indexBefore(text, FUNCTION_CLOSE, nameEnd, tagClose);
    if (name === null || (fnClose === -1 && tagClose === -1)) {
      collector.reject(name, 'the tool call is incomplete (the output was cut off)');
      break;
    }
    const bodyEnd = fnClose !== -1 && (tagClose === -1 || fnClose < tagClose) ? fnClose : tagClose;
    const blockEnd = blockEndAfter(text, bodyEnd, bodyEnd === fnClose);
    const resolved = context.resolve(name);
    if (resolved !== null) {
      const args = readParameters(text.slice(nameEnd + 1, bodyEnd), context.schemas[resolved]);
      collector.offer(resolved, JSON.stringify(args));
      collector.cut(start, blockEnd);
    } else {
      collector.unknownTool(name);
    }
    from = blockEnd;
  }
  return collector.result();
}

/** `indexOf` that stops at `limit` (when not -1), so each block is scanned once. */
function indexBefore(text: string, search: string, from: number, limit: number): number {
  const at = text.slice(from, limit === -1 ? undefined : limit + search.length).indexOf(search);
  return at === -1 ? -1 : from + at;
}

/** Where the block ends: after `</tool_call>`, which may follow `</function>` or be cut off. */
function blockEndAfter(text: string, bodyEnd: number, closedByFunction: boolean): number {
  if (!closedByFunction) return bodyEnd + CLOSE.length;
  const after = skipSpace(text, bodyEnd + FUNCTION_CLOSE.length);
  const rest = text.slice(after);
  if (rest.startsWith(CLOSE)) return after + CLOSE.length;
  if (isPartialTag(rest, CLOSE)) return text.length;
  return bodyEnd + FUNCTION_CLOSE.length;
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
