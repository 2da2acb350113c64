import { CallCollector } from './collector.js';
import { parseMarkupJson, scanJsonValue } from './json-scan.js';
import type { Dialect, DialectContext, DialectResult } from './types.js';

const CALLS_BEGIN = '<｜tool▁calls▁begin｜>';
const CALLS_END = '<｜tool▁calls▁end｜>';
const CALL_BEGIN = '<｜tool▁call▁begin｜>';
const CALL_END = '<｜tool▁call▁end｜>';
const SEPARATOR = '<｜tool▁sep｜>';
const END_OF_SENTENCE = '<｜end▁of▁sentence｜>';

/**
 * DeepSeek V3/R1 (`function<｜tool▁sep｜>NAME` then a ```json fence) and V3.1
 * (`NAME<｜tool▁sep｜>{...}`) call blocks. Each call needs its end token.
 */
export const deepseekDialect: Dialect = {
  name: 'deepseek',
  parse: parseDeepseek,
};

function parseDeepseek(text: string, context: DialectContext): DialectResult | null {
  if (!text.includes(CALL_BEGIN)) return null;
  const collector = new CallCollector(context);
  let from = 0;
  let accepted = false;
  for (;;) {
    const start = text.indexOf(CALL_BEGIN, from);
    if (start === -1) break;
    const end = text.indexOf(CALL_END, start);
    if (end === -1) {
      collector.reject(null, 'the tool call is incomplete (the output was cut off)');
      break;
    }
    from = end + CALL_END.length;
    const [head = '', rest] = text.slice(start + CALL_BEGIN.length, end).split(SEPARATOR, 2);
    if (rest === undefined) {
      collector.reject(null, 'the tool call has no separator between name and arguments');
      continue;
    }
    const { name, raw } =
      head.trim() === 'function' ? splitFenced(rest) : { name: head.trim(), raw: rest.trim() };
    // Repair may fix quotes or commas, never complete a value the model did not close.
    if (scanJsonValue(raw, 0) !== raw.length) {
      collector.reject(name, 'the tool call arguments are incomplete or not one JSON object');
      continue;
    }
    const parsed = parseMarkupJson(raw);
    if (!parsed.ok)
      collector.reject(name, `the tool call arguments are not valid JSON: ${parsed.error}`);
    else accepted = collector.offer(name, JSON.stringify(parsed.value)) || accepted;
  }
  if (accepted) cutBlock(text, collector);
  return collector.result();
}

/** V3 puts the name first, then the arguments in a ```json fence. */
function splitFenced(rest: string): { name: string; raw: string } {
  const newline = rest.indexOf('\n');
  const name = (newline === -1 ? rest : rest.slice(0, newline)).trim();
  const body = newline === -1 ? '' : rest.slice(newline + 1);
  const raw = /^\s*```(?:json)?\s*\n?([\s\S]*?)\n?\s*```\s*$/.exec(body)?.[1] ?? body;
  return { name, raw: raw.trim() };
}

/** Cuts everything from the first call marker to the end of the calls block. */
function cutBlock(text: string, collector: CallCollector): void {
  const begin = text.indexOf(CALLS_BEGIN);
  const first = text.indexOf(CALL_BEGIN);
  const start = begin !== -1 && begin < first ? begin : first;
  const callsEnd = text.indexOf(CALLS_END, first);
  let end =
    callsEnd !== -1 ? callsEnd + CALLS_END.length : text.lastIndexOf(CALL_END) + CALL_END.length;
  if (text.startsWith(END_OF_SENTENCE, end)) end += END_OF_SENTENCE.length;
  collector.cut(start, end);
}
