import type { TraceMessage, TraceRecord } from '../../trace/schema.js';
import { type ExportContext, toolSchemas } from './context.js';
import { argumentsObject, trainingMessages } from './conversation.js';

type Turn = { from: 'human' | 'gpt' | 'function_call' | 'observation'; value: string };

/**
 * LLaMA-Factory's ShareGPT format with tools: `conversations` of `{from, value}` with
 * `human`, `gpt`, `function_call` (a JSON `{name, arguments}`, or a JSON list for parallel
 * calls) and `observation` (consecutive tool results merged, as a JSON list when several),
 * leading system messages in `system`, and `tools` as a JSON string of `{name, description,
 * parameters}`. Reasoning goes in front of the turn's value as `<think>…</think>\n\n`, the
 * slot LLaMA-Factory's reasoning templates (and its function-call formatter) read thoughts
 * from; text an assistant wrote beside its tool calls has no other slot that keeps turns
 * alternating, so it joins the reasoning there. A trailing tool result with no model turn
 * after it is dropped, since LLaMA-Factory needs the conversation to end on a model turn.
 */
export function toShareGpt(record: TraceRecord, ctx: ExportContext): Record<string, unknown> {
  const system: string[] = [];
  const turns: Turn[] = [];
  let pendingResults: string[] = [];
  const flush = () => {
    if (pendingResults.length === 0) return;
    turns.push({
      from: 'observation',
      value: pendingResults.length === 1 ? pendingResults[0]! : JSON.stringify(pendingResults),
    });
    pendingResults = [];
  };
  for (const message of trainingMessages(record)) {
    if (message.role === 'tool') {
      pendingResults.push(message.content);
      continue;
    }
    flush();
    if (message.role === 'system' && turns.length === 0) system.push(message.content);
    else turns.push(turnOf(message, record));
  }
  const row: Record<string, unknown> = { conversations: turns };
  if (system.length > 0) row['system'] = system.join('\n\n');
  if (record.tools.length > 0) row['tools'] = JSON.stringify(toolSchemas(record.tools, ctx));
  return row;
}

function turnOf(message: Exclude<TraceMessage, { role: 'tool' }>, record: TraceRecord): Turn {
  switch (message.role) {
    case 'system':
    case 'user':
      return { from: 'human', value: message.content };
    case 'assistant': {
      const calls = message.tool_calls ?? [];
      const content = message.content ?? '';
      const reasoning = message.reasoning_content ?? '';
      if (calls.length === 0) return { from: 'gpt', value: thought(reasoning) + content };
      const values = calls.map((part) => ({
        name: part.function.name,
        arguments: argumentsObject(
          part.function.arguments,
          record.tool_calls.find((c) => c.id === part.id),
        ),
      }));
      const beside = [reasoning, content].filter((t) => t.trim() !== '').join('\n\n');
      return {
        from: 'function_call',
        value: thought(beside) + JSON.stringify(values.length === 1 ? values[0] : values),
      };
    }
  }
}

function thought(text: string): string {
  return text.trim() === '' ? '' : `<think>\n${text.trim()}\n</think>\n\n`;
}
