import { parseTaggedJson } from './tagged-json.js';
import type { Dialect } from './types.js';

/** Hermes 2/3 and Qwen 2.5/3: `<tool_call>{"name": ..., "arguments": {...}}</tool_call>`. */
export const hermesDialect: Dialect = {
  name: 'hermes',
  parse: (text, context) => parseTaggedJson(text, context, '<tool_call>', '</tool_call>'),
};
