import { safeJsonParse } from '../../core/json.js';
import { setSafeKey } from './arguments.js';
import { CallCollector } from './collector.js';
import type { Dialect, DialectContext, DialectResult } from './types.js';
import { propertySchema, typeTextValue } from './xml-values.js';

const BLOCK_OPEN = '<｜DSML｜function_calls>';
const BLOCK_CLOSE = '</｜DSML｜function_calls>';
const INVOKE = /<｜DSML｜invoke\s+name="([^"]{1,200})"\s*>([\s\S]*?)<\/｜DSML｜invoke>/g;
const PARAMETER =
  /<｜DSML｜parameter\s+name="([^"]{1,200})"(?:\s+string="(true|false)")?\s*>([\s\S]*?)<\/｜DSML｜parameter>/g;

/**
 * DeepSeek V3.2 "DSML" calls: `<｜DSML｜invoke name="NAME">` with one
 * `<｜DSML｜parameter name="P" string="true|false">` per argument; `string="false"` values are
 * JSON. Only invokes with their closing tag count.
 */
export const deepseekDsmlDialect: Dialect = {
  name: 'deepseek-dsml',
  parse: parseDsml,
};

function parseDsml(text: string, context: DialectContext): DialectResult | null {
  const start = text.indexOf(BLOCK_OPEN);
  if (start === -1) return null;
  const collector = new CallCollector(context);
  let accepted = false;
  let lastEnd = start + BLOCK_OPEN.length;
  for (const invoke of text.slice(start).matchAll(INVOKE)) {
    lastEnd = start + invoke.index + invoke[0].length;
    const name = invoke[1]!;
    const resolved = context.resolve(name);
    if (resolved === null) {
      collector.unknownTool(name);
      continue;
    }
    const args: Record<string, unknown> = {};
    for (const [, key = '', string, value = ''] of invoke[2]!.matchAll(PARAMETER)) {
      setSafeKey(
        args,
        key,
        readValue(value, string, propertySchema(context.schemas[resolved], key)),
      );
    }
    accepted = collector.offer(resolved, JSON.stringify(args)) || accepted;
  }
  const rest = text.slice(lastEnd);
  if (rest.includes('<｜DSML｜invoke') && !rest.includes('</｜DSML｜invoke>')) {
    collector.reject(null, 'the tool call is incomplete (the output was cut off)');
  }
  if (accepted) {
    const close = text.indexOf(BLOCK_CLOSE, lastEnd);
    collector.cut(start, close === -1 ? lastEnd : close + BLOCK_CLOSE.length);
  }
  return collector.result();
}

function readValue(value: string, string: string | undefined, schema: unknown): unknown {
  if (string === 'true') return value;
  if (string === 'false') {
    const parsed = safeJsonParse(value.trim());
    return parsed.ok ? parsed.value : value;
  }
  return typeTextValue(value, schema);
}
