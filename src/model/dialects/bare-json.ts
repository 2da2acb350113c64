import { isPlainObject, safeJsonParse } from '../../core/json.js';
import { type EnvelopeCall, readEnvelope } from './arguments.js';
import { CallCollector } from './collector.js';
import { readJsonSequence } from './json-scan.js';
import type { Dialect, DialectContext, DialectResult } from './types.js';

/**
 * Llama 3.x without `<|python_tag|>`, and llama.cpp's generic format: the message opens with
 * call JSON such as `{"name": ..., "parameters": {...}}`, possibly several separated by `;` or
 * newlines, possibly followed by prose. JSON later in a message is never run, since that is
 * how models quote examples; objects without an arguments key are answers, not calls.
 */
export const bareJsonDialect: Dialect = {
  name: 'json',
  parse: parseBareJson,
};

function parseBareJson(text: string, context: DialectContext): DialectResult | null {
  const values = readJsonSequence(text, 0, safeJsonParse);
  const first = values[0];
  if (first === undefined) return null;
  const response = genericResponse(first.value);
  if (response !== null && values.length === 1 && text.slice(first.end).trim() === '') {
    return { calls: [], rejected: [], spans: [], text: response };
  }
  const collector = new CallCollector(context);
  for (const { value, start, end } of values) {
    const calls = callsIn(value);
    if (calls === null) break;
    let accepted = false;
    for (const call of calls) {
      if (!call.ok) collector.reject(call.name, call.reason);
      else accepted = collector.offer(call.name, call.arguments) || accepted;
    }
    if (accepted) collector.cut(start, end);
  }
  return collector.calls.length > 0 || collector.rejected.length > 0 ? collector.result() : null;
}

/** The calls one value holds, or null when it is not call JSON at all. */
export function callsIn(value: unknown, requireArguments = true): EnvelopeCall[] | null {
  if (isPlainObject(value) && isPlainObject(value['tool_call'])) {
    return nonNull([readEnvelope(value['tool_call'])]);
  }
  if (isPlainObject(value) && Array.isArray(value['tool_calls'])) {
    return nonNull(value['tool_calls'].map((call) => readEnvelope(call)));
  }
  if (Array.isArray(value)) {
    return value.length === 0
      ? null
      : nonNull(value.map((call) => readEnvelope(call, requireArguments)));
  }
  return nonNull([readEnvelope(value, requireArguments)]);
}

function nonNull(calls: (EnvelopeCall | null)[]): EnvelopeCall[] | null {
  return calls.every((call) => call !== null) ? (calls as EnvelopeCall[]) : null;
}

/** llama.cpp's generic format answers with `{"response": "..."}` when it calls no tool. */
function genericResponse(value: unknown): string | null {
  if (!isPlainObject(value)) return null;
  const keys = Object.keys(value);
  const response = value['response'];
  return keys.length === 1 && typeof response === 'string' ? response : null;
}
