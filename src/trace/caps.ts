import type { TraceRecord } from './schema.js';

/**
 * The most characters one string field of a trace record keeps. What the model saw is already
 * capped by the tools, but model text, tool arguments, error messages and verifier details are
 * not, and one 50 MB answer would otherwise make a line no reader can hold.
 */
export const TRACE_FIELD_MAX_CHARS = 1 << 20;

/** The most bytes one written trace line holds, newline included (documented in docs/trace.md). */
export const TRACE_LINE_MAX_BYTES = 16 << 20;

/** The smallest field cap tried before the record's messages and tool calls are dropped. */
const TRACE_FIELD_MIN_CHARS = 4096;

/** One field that was cut: its JSON path, its full length, and where the full text was kept. */
export interface CappedField {
  path: string;
  chars: number;
  artifact?: string;
}

/** The full text of a field that was cut, for the writer to store beside the trace. */
export interface CutText {
  path: string;
  text: string;
  /** Where the marker says the full text is; the writer stores it there. */
  artifact?: string;
}

export interface CapOptions {
  fieldMaxChars?: number;
  lineMaxBytes?: number;
  /** Names where a cut text will be stored, or undefined to keep no copy. */
  artifactFor?: (text: string, path: string) => string | undefined;
}

export interface CapResult {
  record: TraceRecord;
  /** The record serialized, newline included; at most TRACE_LINE_MAX_BYTES. */
  line: Buffer;
  cut: CutText[];
}

/**
 * Caps every string of a record at a field size, marking each cut, and lowers that size until
 * the line fits TRACE_LINE_MAX_BYTES. A record that still does not fit (thousands of messages)
 * keeps its identity, outcome and score and drops its messages and tool calls, saying so in
 * `trace_caps`, so that an oversized episode is always written instead of aborting the run.
 */
export function capTraceRecord(record: TraceRecord, options: CapOptions = {}): CapResult {
  const lineMax = options.lineMaxBytes ?? TRACE_LINE_MAX_BYTES;
  let fieldMax = options.fieldMaxChars ?? TRACE_FIELD_MAX_CHARS;
  // Most records are far smaller than one field's cap, and then no field can be over it.
  if (fitsWithin(record, fieldMax)) {
    const whole = serialize(record);
    if (whole !== null && whole.length <= lineMax) return { record, line: whole, cut: [] };
  }
  for (;;) {
    const attempt = capOnce(record, fieldMax, options.artifactFor);
    const line = serialize(attempt.record);
    if (line !== null && line.length <= lineMax) return { ...attempt, line };
    if (fieldMax <= TRACE_FIELD_MIN_CHARS) break;
    fieldMax = Math.max(TRACE_FIELD_MIN_CHARS, Math.floor(fieldMax / 4));
  }
  const skeleton = capOnce(withoutTranscript(record), TRACE_FIELD_MIN_CHARS, options.artifactFor);
  const line = serialize(skeleton.record);
  if (line === null || line.length > lineMax) {
    throw new Error(`trace record ${record.trace_id} does not fit ${lineMax} bytes`);
  }
  return { ...skeleton, line };
}

/** The marker that replaces the end of a cut field; it says how much is gone and where it is. */
export function capMarker(omitted: number, total: number, artifact?: string): string {
  const where = artifact === undefined ? '' : `; full text in ${artifact}`;
  return `\n[… assay trace cap: ${omitted} of ${total} characters omitted${where} …]`;
}

function capOnce(
  record: TraceRecord,
  fieldMax: number,
  artifactFor: CapOptions['artifactFor'],
): { record: TraceRecord; cut: CutText[] } {
  const cut: CutText[] = [];
  const fields: CappedField[] = [];
  const capString = (text: string, path: string): string => {
    if (text.length <= fieldMax) return text;
    const artifact = artifactFor?.(text, path);
    cut.push(artifact === undefined ? { path, text } : { path, text, artifact });
    fields.push(
      artifact === undefined
        ? { path, chars: text.length }
        : { path, chars: text.length, artifact },
    );
    const head = headOf(text, fieldMax);
    return `${head}${capMarker(text.length - head.length, text.length, artifact)}`;
  };
  const walk = (value: unknown, path: string): unknown => {
    if (typeof value === 'string') return capString(value, path);
    if (Array.isArray(value)) return value.map((item, i) => walk(item, `${path}.${i}`));
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) {
        if (path === '' && key === 'trace_caps') continue;
        const child = path === '' ? key : `${path}.${key}`;
        // Free-form values can be huge without any long string (a million numbers): those past
        // the cap are kept as their capped JSON text, which readers treat as opaque anyway.
        out[key] = isFreeForm(child) ? capFreeForm(item, child) : walk(item, child);
      }
      return out;
    }
    return value;
  };
  const capFreeForm = (value: unknown, path: string): unknown => {
    const json = jsonText(value);
    if (json !== null && json.length <= fieldMax) return walk(value, path);
    const text = json ?? '(too large to serialize)';
    const capped = capString(text, path);
    return path.endsWith('.details') ? { capped_json: capped } : capped;
  };
  const capped = walk(record, '') as TraceRecord;
  if (fields.length > 0 || record.trace_caps !== undefined) {
    const previous = isPlainRecord(record.trace_caps) ? record.trace_caps : {};
    capped.trace_caps = { ...previous, field_max_chars: fieldMax, fields };
  }
  return { record: capped, cut };
}

const FREE_FORM = [
  /^tool_calls\.\d+\.arguments$/,
  /^tool_calls\.\d+\.result\.data$/,
  /^verifier\.details$/,
];

function isFreeForm(path: string): boolean {
  return FREE_FORM.some((pattern) => pattern.test(path));
}

function withoutTranscript(record: TraceRecord): TraceRecord {
  const previous = isPlainRecord(record.trace_caps) ? record.trace_caps : {};
  return {
    ...record,
    messages: [],
    tool_calls: [],
    trace_caps: {
      ...previous,
      dropped: { messages: record.messages.length, tool_calls: record.tool_calls.length },
    },
  };
}

/** The first `max` characters, one fewer when that would split a surrogate pair. */
function headOf(text: string, max: number): string {
  const last = text.charCodeAt(max - 1);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? max - 1 : max);
}

/**
 * True when the strings, keys and numbers of a value add up to at most `budget` characters,
 * so that none of its fields can be over the cap; stops walking as soon as they do not.
 */
function fitsWithin(value: unknown, budget: number): boolean {
  let left = budget;
  const visit = (item: unknown): boolean => {
    if (typeof item === 'string') left -= item.length + 2;
    else if (Array.isArray(item)) {
      for (const element of item) if (!visit(element)) return false;
    } else if (item !== null && typeof item === 'object') {
      for (const [key, element] of Object.entries(item)) {
        left -= key.length + 4;
        if (!visit(element)) return false;
      }
    } else left -= 8;
    return left >= 0;
  };
  return visit(value);
}

/** A value as JSON, or null past V8's string limit; other failures throw. */
function jsonText(value: unknown): string | null {
  try {
    return JSON.stringify(value) ?? 'null';
  } catch (error) {
    if (error instanceof RangeError) return null;
    throw error;
  }
}

/**
 * The record as a line, or null past V8's string limit (the caller lowers the cap).
 * `schema_version` goes first: the reader tells a record torn mid-file by that start.
 */
function serialize(record: TraceRecord): Buffer | null {
  try {
    const { schema_version, ...rest } = record;
    return Buffer.from(`${JSON.stringify({ schema_version, ...rest })}\n`, 'utf8');
  } catch (error) {
    // A BigInt or a cycle is a bug in the record, not a size: that is the caller's error.
    if (error instanceof RangeError) return null;
    throw error;
  }
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
