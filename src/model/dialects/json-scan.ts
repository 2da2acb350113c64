import { jsonrepair } from 'jsonrepair';
import { type JsonParseResult, safeJsonParse } from '../../core/json.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Finds where the JSON object or array opening at `start` closes, tracking strings so braces and
 * end tags inside them do not count. Returns the index after the closing bracket, or null when
 * the text ends first (a truncated value) or `start` opens no object or array.
 */
export function scanJsonValue(text: string, start: number): number | null {
  const open = text[start];
  if (open !== '{' && open !== '[') return null;
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (inString) {
      if (code === BACKSLASH) i++;
      else if (code === QUOTE) inString = false;
      continue;
    }
    if (code === QUOTE) inString = true;
    else if (code === 0x7b || code === 0x5b) depth++;
    else if (code === 0x7d || code === 0x5d) {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return null;
}

/** Index of the first character at or after `from` that is not whitespace. */
export function skipSpace(text: string, from: number): number {
  let i = from;
  while (i < text.length && /\s/.test(text[i]!)) i++;
  return i;
}

/**
 * Parses JSON a model wrote inside explicit tool-call markup. When strict parsing fails, a
 * deterministic repair (unescaped quotes, trailing commas) is tried; callers only pass values
 * whose brackets already balance, so the repair never completes a truncated value.
 */
export function parseMarkupJson(raw: string): JsonParseResult {
  const strict = safeJsonParse(raw);
  if (strict.ok) return strict;
  // jsonrepair strips `//` and `/*` as comments, which would turn `{path:a//b}` into
  // `{"path":"a"}`: a different call, not a repaired one.
  if (hasCommentOutsideStrings(raw)) return strict;
  let repaired: string;
  try {
    repaired = jsonrepair(raw);
  } catch {
    return strict;
  }
  const second = safeJsonParse(repaired);
  return second.ok ? second : strict;
}

/** A JSON value in a sequence, with the separator after it counted in `end`. */
export interface SequencedValue {
  value: unknown;
  start: number;
  end: number;
}

/**
 * Reads the complete JSON objects or arrays that follow each other from `from`, separated by
 * `;` or whitespace, stopping at the first thing that is not one (prose or a truncated value).
 */
export function readJsonSequence(
  text: string,
  from: number,
  parse: (raw: string) => JsonParseResult,
): SequencedValue[] {
  const values: SequencedValue[] = [];
  let position = skipSpace(text, from);
  for (;;) {
    const end = scanJsonValue(text, position);
    if (end === null) return values;
    const parsed = parse(text.slice(position, end));
    if (!parsed.ok) return values;
    let next = skipSpace(text, end);
    if (text[next] === ';') next = skipSpace(text, next + 1);
    values.push({ value: parsed.value, start: position, end: next });
    position = next;
  }
}

/** True when `//` or `/*` appears outside JSON strings. */
function hasCommentOutsideStrings(raw: string): boolean {
  let inString = false;
  for (let i = 0; i < raw.length; i++) {
    const code = raw.charCodeAt(i);
    if (inString) {
      if (code === BACKSLASH) i++;
      else if (code === QUOTE) inString = false;
    } else if (code === QUOTE) inString = true;
    else if (code === 0x2f && (raw[i + 1] === '/' || raw[i + 1] === '*')) return true;
  }
  return false;
}
