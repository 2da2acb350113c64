import { CallCollector } from './collector.js';
import { parseMarkupJson, scanJsonValue, skipSpace } from './json-scan.js';
import { isPartialTag } from './tagged-json.js';
import type { Dialect, DialectContext, DialectResult } from './types.js';

const OPEN = /<function(?:=([^>\s]{1,200})|\s+name="([^"\s]{1,200})")>/g;
const CLOSE = '</function>';

/**
 * Llama 3.1's zero-shot custom format `<function=NAME>{...}</function>`, also written
 * `<function name="NAME">{...}</function>` by Hermes-style models.
 */
export const functionTagDialect: Dialect = {
  name: 'function-tag',
  parse: parseFunctionTag,
};

function parseFunctionTag(text: string, context: DialectContext): DialectResult | null {
  if (!text.includes('<function')) return null;
  const collector = new CallCollector(context);
  for (const match of text.matchAll(OPEN)) {
    const name = (match[1] ?? match[2])!;
    const bodyStart = skipSpace(text, match.index + match[0].length);
    if (text[bodyStart] !== '{') continue;
    const end = scanJsonValue(text, bodyStart);
    if (end === null) {
      collector.reject(name, 'the tool call JSON is incomplete (the output was cut off)');
      continue;
    }
    const after = skipSpace(text, end);
    const rest = text.slice(after);
    if (!rest.startsWith(CLOSE) && !isPartialTag(rest, CLOSE)) {
      collector.reject(name, 'unexpected text after the tool call JSON');
      continue;
    }
    const raw = text.slice(bodyStart, end);
    const parsed = parseMarkupJson(raw);
    const args = parsed.ok ? JSON.stringify(parsed.value) : raw;
    const blockEnd = rest.startsWith(CLOSE) ? after + CLOSE.length : text.length;
    if (collector.offer(name, args)) collector.cut(match.index, blockEnd);
  }
  return collector.result();
}
