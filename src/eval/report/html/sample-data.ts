import type { TraceRecord } from '../../../trace/schema.js';
import { sampleVerdict } from '../report-data.js';

/** Longest piece of text embedded per field; the trace file keeps all of it. */
const MAX_TEXT = 6000;

/**
 * One sample as the browser script reads it. Short keys keep a 10,000-sample report small;
 * the detail (`d`) is only turned into markup when the sample is opened.
 */
export interface BrowserSample {
  /** trace id */
  id: string;
  task: string;
  arm: string;
  s: number;
  attempt: number;
  tags: string[];
  verdict: ReturnType<typeof sampleVerdict>;
  /** verifier result: true, false, or null when no verifier gave one */
  ok: boolean | null;
  status: string;
  /** error class, or null */
  err: string | null;
  answer: string | null;
  tin: number;
  tout: number;
  ms: number;
  calls: number;
  line: number | null;
  /**
   * The detail as JSON text, parsed only when the sample is opened or searched: parsing one
   * long string is far cheaper at load than building every transcript's objects.
   */
  d: string;
}

export interface SampleDetail {
  stop: string;
  reward: number | null;
  started: string;
  sampling: unknown;
  error: { class: string; code: string; message: string } | null;
  verifier: unknown;
  messages: unknown[];
  calls: unknown[];
  turns: unknown[];
}

/**
 * The browser's view of one record. `taskTags` fills in tags for records written without
 * them (an infra error can be), from other samples of the same task.
 */
export function browserSample(
  record: TraceRecord,
  line: number | null,
  taskTags: ReadonlyMap<string, string[]> = new Map(),
): BrowserSample {
  const tags = tagsOf(record) ?? taskTags.get(record.task_id ?? '') ?? [];
  return {
    id: record.trace_id,
    task: record.task_id ?? '',
    arm: record.arm ?? '',
    s: record.sample_index,
    attempt: record.attempt,
    tags,
    verdict: sampleVerdict(record),
    ok: record.verifier?.correct ?? null,
    status: record.outcome.status,
    err: record.error?.class ?? null,
    // The row shows the start of the answer; all of it is in the transcript.
    answer: record.final_answer === null ? null : clip(record.final_answer).slice(0, 400),
    tin: record.usage.prompt_tokens,
    tout: record.usage.completion_tokens,
    ms: Math.round(record.timing.duration_ms),
    calls: record.tool_calls.length,
    line,
    d: detailJson({
      stop: record.outcome.stop_reason,
      reward: record.reward,
      started: record.timing.started_at,
      sampling: record.sampling,
      error: record.error
        ? {
            class: record.error.class,
            code: record.error.code,
            message: clip(record.error.message),
          }
        : null,
      verifier:
        record.verifier === null
          ? null
          : {
              name: record.verifier.name,
              version: record.verifier.version,
              correct: record.verifier.correct,
              extracted: clipNull(record.verifier.extracted),
              expected: clipNull(record.verifier.expected),
              details: clipDeep(record.verifier.details),
            },
      messages: record.messages.map((m) => clipDeep(withoutTokens(m))),
      // The tool message carries the output; the call keeps what the timeline needs besides.
      calls: record.tool_calls.map((c) => ({
        id: c.id,
        step: c.step,
        name: c.name,
        arguments: clipDeep(c.arguments),
        policy:
          c.policy === null
            ? null
            : { decision: c.policy.decision, rule: c.policy.rule, reason: clip(c.policy.reason) },
        ok: c.result.ok,
        error: c.result.error ? clipDeep(c.result.error) : null,
        ms: Math.round(c.duration_ms),
      })),
      turns: Array.isArray(record.turns) ? record.turns.map((t) => clipDeep(withoutTokens(t))) : [],
    }),
  };
}

function detailJson(detail: SampleDetail): string {
  return JSON.stringify(detail);
}

/**
 * JSON for a `<script type="application/json">` element. Escaping `<`, `>` and `&` means no
 * `</script>` or `<!--` in model text can end or bend the element, and U+2028/U+2029 are
 * escaped for older JavaScript parsers; `JSON.stringify` already escapes lone surrogates.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** The record's own tags, or undefined when it carries none. */
export function tagsOf(record: TraceRecord): string[] | undefined {
  return Array.isArray(record.tags)
    ? record.tags.filter((t): t is string => typeof t === 'string')
    : undefined;
}

/** Token ids and logprobs (from `--record-tokens`) are for training, not for reading. */
function withoutTokens(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const copy: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (!/token_ids|logprobs/.test(k)) copy[k] = v;
  }
  return copy;
}

/**
 * Clipped, and with the characters `escapeHtml` replaces replaced here too: C0 controls and
 * lone surrogates are not text (a lone surrogate even crashes Chromium's DOM serialiser).
 */
function clip(text: string): string {
  const clean = text
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '\ufffd')
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
  if (clean.length <= MAX_TEXT) return clean;
  return `${clean.slice(0, MAX_TEXT)}\n… (${clean.length - MAX_TEXT} more characters in the trace file)`;
}

function clipNull(text: string | null): string | null {
  return text === null ? null : clip(text);
}

/**
 * Clips every string in a JSON value and sorts object keys, so the page is the same whether
 * the records came from memory or were read back (and reordered) from the trace file.
 */
function clipDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return clip(value);
  if (depth > 8 || typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.slice(0, 200).map((v) => clipDeep(v, depth + 1));
  const copy: Record<string, unknown> = {};
  for (const k of Object.keys(value).sort()) {
    const v = (value as Record<string, unknown>)[k];
    if (v !== undefined) copy[k] = clipDeep(v, depth + 1);
  }
  return copy;
}
