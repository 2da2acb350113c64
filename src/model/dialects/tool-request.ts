import { parseTaggedJson } from './tagged-json.js';
import type { Dialect } from './types.js';

/** LM Studio's prompt-taught fallback: `[TOOL_REQUEST]{...}[END_TOOL_REQUEST]`. */
export const toolRequestDialect: Dialect = {
  name: 'tool-request',
  parse: (text, context) => parseTaggedJson(text, context, '[TOOL_REQUEST]', '[END_TOOL_REQUEST]'),
};
