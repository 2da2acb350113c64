import { readEnvelope } from './arguments.js';
import { CallCollector } from './collector.js';
import { parseMarkupJson, scanJsonValue, skipSpace } from './json-scan.js';
import type { DialectContext, DialectResult } from './types.js';

/** Reads the name out of call JSON that could not be parsed, so a rejection can name the tool. */
export function guessName(raw: string): string | null {
  return /"name"\s*:\s*"([^"\\]{1,200})"/.exec(raw)?.[1] ?? null;
}

/** True when `rest` is empty or a cut-off beginning of `tag` (the stream ended inside it). */
export function isPartialTag(rest: string, tag: string): boolean {
  return tag.startsWith(rest);
}

/**
 * Finds `open` JSON `close` blocks: one call object or an array of them per block. The closing
 * tag may be missing or cut off at the end of the text, or replaced by the next block, but only
 * when the JSON itself is complete; a truncated value is reported, never completed.
 */
export function parseTaggedJson(
  text: string,
  context: DialectContext,
  open: string,
  close: string,
): DialectResult | null {
  if (!text.includes(open)) return null;
  const collector = new CallCollector(context);
  let from = 0;
  for (;;) {
    const start = text.indexOf(open, from);
    if (start === -1) break;
    const bodyStart = skipSpace(text, start + open.length);
    const end = scanJsonValue(text, bodyStart);
    if (end === null) {
      const body = text.slice(bodyStart);
      if (body.startsWith('{') || body.startsWith('[')) {
        collector.reject(
          guessName(body),
          'the tool call JSON is incomplete (the output was cut off)',
        );
        break;
      }
      from = start + open.length;
      continue;
    }
    const after = skipSpace(text, end);
    const rest = text.slice(after);
    let blockEnd: number;
    if (rest.startsWith(close)) blockEnd = after + close.length;
    else if (isPartialTag(rest, close)) blockEnd = text.length;
    else if (rest.startsWith(open) || rest.startsWith('<tool_response')) blockEnd = after;
    else {
      collector.reject(
        guessName(text.slice(bodyStart, end)),
        'unexpected text after the tool call JSON',
      );
      from = end;
      continue;
    }
    if (readBlock(text.slice(bodyStart, end), collector)) collector.cut(start, blockEnd);
    from = blockEnd;
  }
  return collector.result();
}

/** Offers every call in one block's JSON; returns whether any was accepted. */
export function readBlock(raw: string, collector: CallCollector): boolean {
  const parsed = parseMarkupJson(raw);
  if (!parsed.ok) {
    collector.reject(guessName(raw), `the tool call is not valid JSON: ${parsed.error}`);
    return false;
  }
  const values = Array.isArray(parsed.value) ? parsed.value : [parsed.value];
  let accepted = false;
  for (const value of values) {
    const call = readEnvelope(value);
    if (call === null) collector.reject(null, 'the tool call is not a JSON object with a name');
    else if (!call.ok) collector.reject(call.name, call.reason);
    else if (collector.offer(call.name, call.arguments)) accepted = true;
  }
  return accepted;
}
