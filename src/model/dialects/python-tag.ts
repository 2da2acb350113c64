import { callsIn } from './bare-json.js';
import { CallCollector } from './collector.js';
import { parseMarkupJson, readJsonSequence, skipSpace } from './json-scan.js';
import { parsePythonCalls } from './python-literal.js';
import { guessName } from './tagged-json.js';
import type { Dialect, DialectContext, DialectResult } from './types.js';

const TAG = '<|python_tag|>';
const END_TOKENS = ['<|eom_id|>', '<|eot_id|>'];

/**
 * Llama 3.1/3.3 `<|python_tag|>` followed by call JSON (`;`-separated when several) or a
 * built-in tool call such as `brave_search.call(query="...")`, up to `<|eom_id|>`. A tag may
 * open each call.
 */
export const pythonTagDialect: Dialect = {
  name: 'python-tag',
  parse: parsePythonTag,
};

function parsePythonTag(text: string, context: DialectContext): DialectResult | null {
  const start = text.indexOf(TAG);
  if (start === -1) return null;
  const bodyStart = skipSpace(text, start + TAG.length);
  const [bodyEnd, end] = bodyBounds(text, bodyStart);
  const collector = new CallCollector(context);
  let accepted = false;
  // Some models open every call with its own tag: `<|python_tag|>{...}<|python_tag|>{...}`.
  for (const segment of text.slice(bodyStart, bodyEnd).split(TAG)) {
    accepted = readBody(segment.trim(), collector) || accepted;
  }
  if (accepted) collector.cut(start, end);
  return collector.result();
}

/** Offers the calls in one tag's body; returns whether any was accepted. */
function readBody(body: string, collector: CallCollector): boolean {
  let accepted = false;
  if (body.startsWith('{') || body.startsWith('[')) {
    const values = readJsonSequence(body, 0, parseMarkupJson);
    const last = values.at(-1);
    if (last === undefined || last.end < body.length) {
      collector.reject(guessName(body), 'the tool call JSON is incomplete or invalid');
    }
    for (const { value } of values) {
      for (const call of callsIn(value, false) ?? []) {
        if (!call.ok) collector.reject(call.name, call.reason);
        else accepted = collector.offer(call.name, call.arguments) || accepted;
      }
    }
  } else {
    for (const call of parsePythonCalls(body) ?? []) {
      const name = call.name.replace(/\.call$/, '');
      if (!call.ok) collector.reject(name, call.reason);
      else accepted = collector.offer(name, JSON.stringify(call.args)) || accepted;
    }
  }
  return accepted;
}

/** The end of the call text and the end of the markup, which includes the end token. */
function bodyBounds(text: string, from: number): [number, number] {
  let best: [number, number] = [text.length, text.length];
  for (const token of END_TOKENS) {
    const at = text.indexOf(token, from);
    if (at !== -1 && at < best[0]) best = [at, at + token.length];
  }
  return best;
}
