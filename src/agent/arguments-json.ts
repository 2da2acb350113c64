import { JSONRepairError, jsonrepair } from 'jsonrepair';
import { safeJsonParse } from '../core/json.js';

/** The arguments text of a tool call, parsed as far as it can be without guessing. */
export type ArgumentsText =
  | { ok: true; value: unknown; repairs: string[] }
  /** Not JSON and not meant as JSON: text a single-field tool may still take as its value. */
  | { ok: true; bare: string; repairs: string[] }
  | { ok: false; message: string };

const FENCE = /^```[a-zA-Z]*\s*([\s\S]*?)\s*```$/;

/**
 * Parses tool-call arguments: strict JSON first, then a JSON repair for what models get wrong
 * in finished output (single quotes, trailing commas, unquoted keys, Python's True/None).
 * Output cut off mid-object is refused rather than completed: a guessed ending could run the
 * tool with arguments the model never wrote.
 */
export function parseArgumentsText(raw: string): ArgumentsText {
  const repairs: string[] = [];
  let text = raw.trim();
  if (text === '') return { ok: true, value: {}, repairs: ['empty_arguments'] };
  const fenced = FENCE.exec(text);
  if (fenced) {
    text = (fenced[1] as string).trim();
    repairs.push('stripped_code_fence');
  }

  const strict = safeJsonParse(text);
  if (strict.ok) return { ok: true, value: strict.value, repairs };

  if (!/^[{["']/.test(text)) {
    if (/^(?:True|False|None)$/.test(text)) {
      const value = text === 'None' ? null : text === 'True';
      return { ok: true, value, repairs: [...repairs, 'json_repair'] };
    }
    return { ok: true, bare: text, repairs };
  }
  const cut = findTruncation(text);
  if (cut !== null) {
    return {
      ok: false,
      message: `the arguments are cut off: ${cut} at the end (position ${text.length}), so the call was not run`,
    };
  }
  let repaired: string;
  try {
    repaired = jsonrepair(text);
  } catch (error) {
    const detail = error instanceof JSONRepairError ? error.message : strict.error;
    return { ok: false, message: `the arguments are not valid JSON: ${detail}` };
  }
  const parsed = safeJsonParse(repaired);
  if (!parsed.ok)
    return { ok: false, message: `the arguments are not valid JSON: ${strict.error}` };
  return { ok: true, value: parsed.value, repairs: [...repairs, 'json_repair'] };
}

/**
 * Describes how the text stops short of complete JSON (an open string, object or array), or
 * returns null when every string and bracket it opens is closed.
 */
export function findTruncation(text: string): string | null {
  const open: string[] = [];
  let quote: string | null = null;
  let escaped = false;
  let previous = '';
  for (const ch of text) {
    if (quote !== null) {
      if (escaped) escaped = false;
      else if (ch === '\\') escaped = true;
      else if (ch === quote) quote = null;
      continue;
    }
    // A single quote opens a string only where a value or key can start, not in it's.
    if (ch === '"' || (ch === "'" && (previous === '' || '{[,:'.includes(previous)))) {
      quote = ch;
    } else if (ch === '{' || ch === '[') {
      open.push(ch);
    } else if (ch === '}' || ch === ']') {
      open.pop();
    }
    if (!/\s/.test(ch)) previous = ch;
  }
  if (quote !== null) return 'an unterminated string';
  const last = open.at(-1);
  if (last === '{') return 'an unclosed object';
  if (last === '[') return 'an unclosed array';
  return null;
}
