import { safeJsonParse } from '../../core/json.js';
import { callsIn } from './bare-json.js';
import { CallCollector } from './collector.js';
import { readJsonSequence } from './json-scan.js';
import { parseTaggedJson } from './tagged-json.js';
import type { Dialect, DialectContext, DialectResult } from './types.js';

/** Tags Hermes-style models put around call JSON instead of `<tool_call>`. */
const WRAPPERS = ['tool', 'tools', 'response', 'function_call', 'json', 'JSON', 'xml'];
const WHOLE_FENCE = /^\s*```[A-Za-z]*[ \t]*\n([\s\S]*?)\n?\s*```\s*$/;

/**
 * The other wrappers llama.cpp's Hermes 2 Pro parser accepts: `<tool>`, `<tools>`,
 * `<response>`, `<function_call>`, `<json>`, `<xml>` around call JSON, and a message that is
 * one fenced block holding such a wrapper or bare call JSON. Only for a forced `hermes`
 * format; `auto` keeps to markers that cannot be prose.
 */
export const hermesWrappersDialect: Dialect = {
  name: 'hermes',
  parse: parseHermesWrappers,
};

function parseHermesWrappers(text: string, context: DialectContext): DialectResult | null {
  const fence = WHOLE_FENCE.exec(text);
  const body = fence?.[1] ?? text;
  for (const tag of WRAPPERS) {
    const result = parseTaggedJson(body, context, `<${tag}>`, `</${tag}>`);
    if (result === null || result.calls.length === 0) continue;
    // Inside a fence the whole message is the call; outside, the tagged blocks are.
    return fence === null ? result : { ...result, spans: [{ start: 0, end: text.length }] };
  }
  if (fence === null) return null;
  const collector = new CallCollector(context);
  for (const { value } of readJsonSequence(body, 0, safeJsonParse)) {
    for (const call of callsIn(value) ?? []) {
      if (!call.ok) collector.reject(call.name, call.reason);
      else collector.offer(call.name, call.arguments);
    }
  }
  if (collector.calls.length > 0) collector.cut(0, text.length);
  return collector.calls.length > 0 || collector.rejected.length > 0 ? collector.result() : null;
}
