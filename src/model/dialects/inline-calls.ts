import { safeJsonParse } from '../../core/json.js';
import { callsIn } from './bare-json.js';
import { CallCollector } from './collector.js';
import { scanJsonValue } from './json-scan.js';
import { parsePythonCalls } from './python-literal.js';
import { offerInto } from './pythonic.js';
import type { Dialect, DialectContext, DialectResult } from './types.js';

const LIST_HEAD = /\[\s*[A-Za-z_][\w.]*\s*\(/g;
const PYTHON_START = '<|python_start|>';
const PYTHON_END = '<|python_end|>';

/**
 * Pythonic call lists inside prose, `Let me check: [get_weather(city='Paris')]`, as vLLM's and
 * SGLang's pythonic parsers read them. Only for a forced `pythonic` format: in auto-detection a
 * list in a sentence is more likely an example than a call.
 */
export const inlinePythonicDialect: Dialect = {
  name: 'pythonic',
  parse: parseInlinePythonic,
};

/**
 * Llama 3.x call JSON after prose, `Here is the result: {"name": ..., "parameters": {...}}`, as
 * vLLM's llama3_json parser reads it. Only for a forced `llama` format, for the same reason.
 */
export const inlineJsonDialect: Dialect = {
  name: 'json',
  parse: parseInlineJson,
};

function parseInlinePythonic(text: string, context: DialectContext): DialectResult | null {
  if (!text.includes('[')) return null;
  const collector = new CallCollector(context);
  for (const match of text.matchAll(LIST_HEAD)) {
    if (collector.spans.some((span) => match.index < span.end)) continue;
    const end = scanPythonList(text, match.index);
    if (end === null) continue;
    const calls = parsePythonCalls(text.slice(match.index + 1, end - 1));
    if (calls === null) continue;
    let start = match.index;
    let stop = end;
    // Llama 4 wraps the list in `<|python_start|>…<|python_end|>`; the tokens go with it.
    if (text.slice(0, start).trimEnd().endsWith(PYTHON_START)) {
      start = text.lastIndexOf(PYTHON_START, start);
      const after = text.slice(stop).trimStart();
      if (after.startsWith(PYTHON_END)) stop = text.length - after.length + PYTHON_END.length;
    }
    if (offerInto(collector, calls)) collector.cut(start, stop);
  }
  return collector.calls.length > 0 || collector.rejected.length > 0 ? collector.result() : null;
}

/** The index after the `]` closing the list at `start`, skipping Python strings; null if open. */
function scanPythonList(text: string, start: number): number | null {
  let depth = 0;
  let quote: string | null = null;
  for (let i = start; i < text.length; i++) {
    const char = text[i]!;
    if (quote !== null) {
      if (char === '\\') i++;
      else if (char === quote) quote = null;
    } else if (char === '"' || char === "'") quote = char;
    else if (char === '[' || char === '(' || char === '{') depth++;
    else if (char === ']' || char === ')' || char === '}') {
      depth--;
      if (depth === 0) return char === ']' ? i + 1 : null;
    }
  }
  return null;
}

function parseInlineJson(text: string, context: DialectContext): DialectResult | null {
  const collector = new CallCollector(context);
  let position = 0;
  for (;;) {
    const start = text.indexOf('{', position);
    if (start === -1) break;
    const end = scanJsonValue(text, start);
    if (end === null) {
      position = start + 1;
      continue;
    }
    position = end;
    const parsed = safeJsonParse(text.slice(start, end));
    const calls = parsed.ok ? callsIn(parsed.value) : null;
    if (calls === null) continue;
    let accepted = false;
    for (const call of calls) {
      if (!call.ok) collector.reject(call.name, call.reason);
      else accepted = collector.offer(call.name, call.arguments) || accepted;
    }
    if (!accepted) continue;
    // A `;` between calls is part of the markup.
    const semicolon = /^\s*;/.exec(text.slice(end));
    collector.cut(start, end + (semicolon?.[0].length ?? 0));
  }
  return collector.calls.length > 0 || collector.rejected.length > 0 ? collector.result() : null;
}
