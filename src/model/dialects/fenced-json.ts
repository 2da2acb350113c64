import { safeJsonParse } from '../../core/json.js';
import { readEnvelope } from './arguments.js';
import { CallCollector } from './collector.js';
import { trailingFences } from './fences.js';
import { scanJsonValue } from './json-scan.js';
import type { Dialect, DialectContext, DialectResult } from './types.js';

/** Fence languages that announce a tool call rather than JSON in general. */
const CALL_LANGS = new Set(['tool_call', 'tool_calls', 'tool', 'function_call']);
const JSON_LANGS = new Set(['json', '']);

/**
 * A fenced JSON call at the end of the message, as Qwen2.5-Coder writes instead of tags:
 * ```json {"name": ..., "arguments": {...}} ```. In a plain `json` fence the object must carry an
 * arguments key and name an offered tool; anything else is ordinary content.
 */
export const fencedJsonDialect: Dialect = {
  name: 'fenced-json',
  parse: parseFencedJson,
};

function parseFencedJson(text: string, context: DialectContext): DialectResult | null {
  if (!text.includes('```')) return null;
  const collector = new CallCollector(context);
  for (const fence of trailingFences(text)) {
    const announced = CALL_LANGS.has(fence.lang);
    if (!announced && !JSON_LANGS.has(fence.lang)) continue;
    const body = fence.body.trim();
    if (scanJsonValue(body, 0) !== body.length) continue;
    const parsed = safeJsonParse(body);
    if (!parsed.ok) {
      if (announced) collector.reject(null, `the tool call is not valid JSON: ${parsed.error}`);
      continue;
    }
    const values = Array.isArray(parsed.value) ? parsed.value : [parsed.value];
    const calls = values.map((value) => readEnvelope(value, !announced));
    if (calls.some((call) => call === null)) continue;
    let accepted = false;
    for (const call of calls) {
      if (call === null) continue;
      if (!call.ok) collector.reject(call.name, call.reason);
      else if (context.resolve(call.name) !== null || announced) {
        accepted = collector.offer(call.name, call.arguments) || accepted;
      }
    }
    if (accepted) collector.cut(fence.start, fence.end);
  }
  return collector.result();
}
