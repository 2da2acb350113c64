import { CallCollector } from './collector.js';
import { parseMarkupJson, scanJsonValue, skipSpace } from './json-scan.js';
import { guessName, readBlock } from './tagged-json.js';
import type { Dialect, DialectContext, DialectResult } from './types.js';

const MARKER = '[TOOL_CALLS]';
const NAMED_CALL = /^([A-Za-z0-9_.-]{1,200})\s*(?:\[CALL_ID\][A-Za-z0-9]*\s*)?(?:\[ARGS\])?\s*/;

/**
 * Mistral: before tokenizer v11 `[TOOL_CALLS] [{"name": ..., "arguments": {...}}]`, since then
 * `[TOOL_CALLS]name{...}` (rendered `[TOOL_CALLS]name[ARGS]{...}` by some tokenizers), one marker
 * per call. Each call's JSON must be complete.
 */
export const mistralDialect: Dialect = {
  name: 'mistral',
  parse: parseMistral,
};

function parseMistral(text: string, context: DialectContext): DialectResult | null {
  if (!text.includes(MARKER)) return null;
  const collector = new CallCollector(context);
  let from = 0;
  for (;;) {
    const start = text.indexOf(MARKER, from);
    if (start === -1) break;
    let position = skipSpace(text, start + MARKER.length);
    let name: string | null = null;
    if (text[position] !== '[') {
      const named = NAMED_CALL.exec(text.slice(position));
      if (named === null) {
        from = position;
        continue;
      }
      name = named[1]!;
      position += named[0].length;
    }
    const end = scanJsonValue(text, position);
    if (end === null) {
      collector.reject(
        name ?? guessName(text.slice(position)),
        'the tool call is incomplete (the output was cut off)',
      );
      break;
    }
    const raw = text.slice(position, end);
    if (name === null) {
      if (readBlock(raw, collector)) collector.cut(start, end);
    } else {
      const parsed = parseMarkupJson(raw);
      const args = parsed.ok ? JSON.stringify(parsed.value) : raw;
      if (collector.offer(name, args)) collector.cut(start, end);
    }
    from = end;
  }
  return collector.result();
}
