import type { TraceMessage, TraceRecord } from '../../../trace/schema.js';
import { type SampleRef, sampleVerdict } from '../report-data.js';
import { escapeHtml as esc } from './escape.js';

/** Longest message text shown in the report; the trace file keeps all of it. */
const MAX_TEXT = 6000;

/**
 * One sample's episode as the report shows it: its verdict, where its trace is, what the
 * verifier extracted, then every message. All text is escaped; nothing is rendered as markup.
 */
export function renderSample(sample: SampleRef, tracesFile: string): string {
  const { record, line } = sample;
  const verdict = sampleVerdict(record);
  const where =
    line === null
      ? `trace <code>${esc(record.trace_id)}</code>`
      : `<a href="${esc(tracesFile)}">${esc(tracesFile)}</a> line ${line} · trace <code>${esc(record.trace_id)}</code>`;
  const explanation = record.verifier?.['explanation'];
  const why = typeof explanation === 'string' ? ` — ${esc(explanation)}` : '';
  const verifier = record.verifier
    ? `<p class="verifier">verifier ${esc(record.verifier.name)}: extracted <code>${esc(record.verifier.extracted ?? '–')}</code>, expected <code>${esc(record.verifier.expected ?? '–')}</code>${why}</p>`
    : '';
  const error = record.error
    ? `<p class="error-line">${esc(record.error.class)} error ${esc(record.error.code)}: ${esc(clip(record.error.message))}</p>`
    : '';
  return [
    '<article class="sample">',
    `<header><span class="badge ${verdictClass(verdict)}">${esc(verdict)}</span> sample ${record.sample_index}${record.attempt > 0 ? `, attempt ${record.attempt + 1}` : ''} · ${where}</header>`,
    verifier,
    error,
    `<ol class="messages">${record.messages.map((m) => renderMessage(m, record)).join('')}</ol>`,
    `<p class="outcome">${esc(record.outcome.status)} (${esc(record.outcome.stop_reason)}) · ${plural(record.tool_calls.length, 'tool call')} · ${record.usage.prompt_tokens + record.usage.completion_tokens} tokens · ${Math.round(record.timing.duration_ms)} ms</p>`,
    '</article>',
  ].join('');
}

export function verdictClass(verdict: ReturnType<typeof sampleVerdict>): string {
  return verdict === 'correct' ? 'ok' : verdict === 'wrong' ? 'bad' : 'warn';
}

function renderMessage(message: TraceMessage, record: TraceRecord): string {
  switch (message.role) {
    case 'system':
    case 'user':
      return item(message.role, message.role, text(message.content));
    case 'assistant': {
      const parts: string[] = [];
      if (message.reasoning_content) {
        parts.push(
          `<details class="reasoning"><summary>reasoning</summary>${text(message.reasoning_content)}</details>`,
        );
      }
      if (message.content !== null && message.content !== '') parts.push(text(message.content));
      for (const call of message.tool_calls ?? []) {
        const decision = record.tool_calls.find((c) => c.id === call.id)?.policy?.decision;
        const note =
          decision && decision !== 'allow'
            ? ` <span class="badge warn">${esc(decision)}</span>`
            : '';
        parts.push(
          `<div class="call">→ <code>${esc(call.function.name)}</code>${note}${text(call.function.arguments)}</div>`,
        );
      }
      return item('assistant', 'assistant', parts.join('') || '<p class="muted">(empty)</p>');
    }
    case 'tool': {
      const name =
        message.name ?? record.tool_calls.find((c) => c.id === message.tool_call_id)?.name;
      const label = `tool${name ? ` · ${name}` : ''}${message.is_error ? ' · error' : ''}`;
      return item(message.is_error ? 'tool tool-error' : 'tool', label, text(message.content));
    }
  }
}

function item(cls: string, label: string, body: string): string {
  return `<li class="msg ${cls}"><span class="role">${esc(label)}</span>${body}</li>`;
}

function text(content: string): string {
  return `<pre>${esc(clip(content))}</pre>`;
}

function clip(content: string): string {
  if (content.length <= MAX_TEXT) return content;
  return `${content.slice(0, MAX_TEXT)}\n… (${content.length - MAX_TEXT} more characters in the trace file)`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
