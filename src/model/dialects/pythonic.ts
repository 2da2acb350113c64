import { CallCollector } from './collector.js';
import { trailingFences } from './fences.js';
import { type PythonCall, parsePythonCalls } from './python-literal.js';
import type { Dialect, DialectContext, DialectResult } from './types.js';

const WRAPPERS: readonly (readonly [string, string])[] = [
  ['<|python_start|>', '<|python_end|>'],
  ['<function_calls>', '</function_calls>'],
];

/**
 * Llama 3.2/4 and ToolACE `[f(a=1), g()]`, also inside Llama 4's `<|python_start|>` or Olmo's
 * `<function_calls>`, and Gemma's closing ```tool_code fence. The list must be the whole
 * message: `call f() to see` in a sentence is prose.
 */
export const pythonicDialect: Dialect = {
  name: 'pythonic',
  parse: parsePythonic,
};

function parsePythonic(text: string, context: DialectContext): DialectResult | null {
  const whole = wholeMessageCalls(text);
  if (whole !== null) return offerAll(whole.calls, context, whole.start, whole.end);
  if (!text.includes('```tool_code')) return null;
  const collector = new CallCollector(context);
  for (const fence of trailingFences(text)) {
    if (fence.lang !== 'tool_code') continue;
    const calls = parsePythonCalls(unwrapPrint(fence.body), true);
    if (calls !== null && offerInto(collector, calls)) collector.cut(fence.start, fence.end);
  }
  return collector.result();
}

function wholeMessageCalls(
  text: string,
): { calls: PythonCall[]; start: number; end: number } | null {
  const start = text.length - text.trimStart().length;
  const end = text.trimEnd().length;
  let body = text.slice(start, end);
  let list = true;
  for (const [open, close] of WRAPPERS) {
    if (!body.startsWith(open)) continue;
    body = body.slice(open.length);
    if (body.endsWith(close)) body = body.slice(0, -close.length);
    body = body.trim();
    list = open === '<|python_start|>';
  }
  if (list && !(body.startsWith('[') && body.endsWith(']'))) return null;
  const calls = parsePythonCalls(list ? body.slice(1, -1) : body, !list);
  return calls === null ? null : { calls, start, end };
}

function offerAll(
  calls: PythonCall[],
  context: DialectContext,
  start: number,
  end: number,
): DialectResult {
  const collector = new CallCollector(context);
  if (offerInto(collector, calls)) collector.cut(start, end);
  return collector.result();
}

/** Offers parsed Python calls; returns whether any was accepted. */
export function offerInto(collector: CallCollector, calls: PythonCall[]): boolean {
  let accepted = false;
  for (const call of calls) {
    const name = call.name.replace(/^(?:default_api|functions)\./, '');
    if (!call.ok) collector.reject(name, call.reason);
    else accepted = collector.offer(name, JSON.stringify(call.args)) || accepted;
  }
  return accepted;
}

/** Gemma often wraps its call in `print(...)`. */
function unwrapPrint(body: string): string {
  return /^\s*print\(([\s\S]*)\)\s*$/.exec(body)?.[1] ?? body;
}
